// A whole node (engine, dispatcher, rate limiter, routing table, RPC manager) fed KRPC datagrams on the calling
// thread through its datagram receiver, as the socket's receive thread feeds it when the loop is idle. Its clock
// moves only when a query is handed in, so every run takes the same path and allocates the same bytes; what the
// node sends is counted, and the transaction ids of its own queries are kept while the caller wants to answer
// them (so that the contacts it verifies become good, as on a real network).
using System.Buffers.Binary;
using Dht.Engine;
using Dht.Protocol;
using Dht.Transport;

namespace Dht.Benchmarks;

/// <summary>A node driven datagram by datagram, with a stepped clock and no socket.</summary>
internal sealed class NodeUnderQueries : IDatagramTransport
{
    // d1:ad2:id20:<id>6:target20:<target>e1:q9:find_node1:t4:<tid>1:y1:qe
    private const int IdOffset = 12;
    private const int TargetOffset = 43;
    private const int TidOffset = 83;

    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly byte[] _findNode =
        "d1:ad2:id20:aaaaaaaaaaaaaaaaaaaa6:target20:bbbbbbbbbbbbbbbbbbbbe1:q9:find_node1:t4:tttt1:y1:qe"u8.ToArray();

    // d1:rd2:id20:<id>e1:t4:<tid>1:y1:re
    private readonly byte[] _response = "d1:rd2:id20:aaaaaaaaaaaaaaaaaaaae1:t4:tttt1:y1:re"u8.ToArray();
    private readonly SteppedClock _clock = new(Start);
    private readonly List<(NetEndPoint To, uint TransactionId)> _queries = [];
    private IDatagramReceiver? _receiver;
    private uint _tid;

    public NodeUnderQueries(DhtOptions options, int seed)
    {
        Node = new DhtNode(options, this, _clock, new SeededRandomSource(new Random(seed)), loggerFactory: null);
        Node.StartAsync().GetAwaiter().GetResult();
    }

    public DhtNode Node { get; }

    /// <summary>Datagrams the node sent (answers and its own queries).</summary>
    public long Sent { get; private set; }

    /// <summary>While true, the transaction ids of the node's own queries are kept for <see cref="AnswerQueries"/>.</summary>
    public bool KeepQueries { get; set; }

    public NetEndPoint LocalEndPoint { get; } = NetEndPoint.FromIPv4(0x0A000001, 6881);

    /// <summary>Moves the clock by <paramref name="step"/> (due timers fire), then hands the node a find_node.</summary>
    public void FindNode(NodeId sender, NetEndPoint source, NodeId target, TimeSpan step)
    {
        _clock.Advance(step);
        sender.WriteTo(_findNode.AsSpan(IdOffset));
        target.WriteTo(_findNode.AsSpan(TargetOffset));
        BinaryPrimitives.WriteUInt32BigEndian(_findNode.AsSpan(TidOffset), ++_tid);
        _receiver!.OnDatagram(source, _findNode);
    }

    /// <summary>Answers every kept query of the node with a bare response from <paramref name="idOf"/> its destination.</summary>
    public void AnswerQueries(Func<NetEndPoint, NodeId?> idOf)
    {
        var queries = _queries.ToArray();
        _queries.Clear();
        foreach (var (to, tid) in queries)
        {
            if (idOf(to) is { } id)
            {
                id.WriteTo(_response.AsSpan(IdOffset));
                BinaryPrimitives.WriteUInt32BigEndian(_response.AsSpan(IdOffset + 20 + 6), tid);
                _receiver!.OnDatagram(to, _response);
            }
        }
    }

    void IDatagramTransport.Start(IDatagramReceiver receiver) => _receiver = receiver;

    void IDatagramTransport.Send(NetEndPoint destination, ReadOnlySpan<byte> datagram)
    {
        Sent++;

        // The node's queries end "1:t4:<tid>1:v4:<version>1:y1:qe" (keys sorted); answers end in y=r or y=e.
        if (KeepQueries && datagram.EndsWith("1:y1:qe"u8))
        {
            int t = datagram.LastIndexOf("1:t4:"u8);
            _queries.Add((destination, BinaryPrimitives.ReadUInt32BigEndian(datagram[(t + 5)..])));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
