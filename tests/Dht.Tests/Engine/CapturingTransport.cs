using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Engine;

/// <summary>A transport that hands datagrams to the engine on the test's thread and keeps what it sends.</summary>
internal sealed class CapturingTransport : IDatagramTransport
{
    private readonly object _gate = new();
    private readonly List<(NetEndPoint To, byte[] Datagram)> _sent = [];

    public NetEndPoint LocalEndPoint { get; } = NetEndPoint.FromIPv4(0x7F000001, 6881);

    public IDatagramReceiver? Receiver { get; private set; }

    /// <summary>Datagrams sent so far.</summary>
    public long SentCount { get; private set; }

    /// <summary>When true, copies of the sent datagrams are kept (not on allocation tests).</summary>
    public bool Keep { get; set; }

    public IReadOnlyList<(NetEndPoint To, byte[] Datagram)> Sent
    {
        get
        {
            lock (_gate)
            {
                return _sent.ToArray();
            }
        }
    }

    public void Start(IDatagramReceiver receiver) => Receiver = receiver;

    public void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram)
    {
        SentCount++;
        if (Keep)
        {
            lock (_gate)
            {
                _sent.Add((destination, datagram.ToArray()));
            }
        }
    }

    /// <summary>Delivers one datagram as the receive thread would.</summary>
    public void Deliver(NetEndPoint from, ReadOnlySpan<byte> datagram) =>
        (Receiver ?? throw new InvalidOperationException("not started")).OnDatagram(from, datagram);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
