using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Adversary;

/// <summary>
/// The storing clients of the stores mode: one UDP socket per source, each on an address of its own
/// (127.20.0.1 upwards), holding the write token the node gave that address (tokens are bound to the IP, so
/// every source must fetch its own). A source stores named values under keys of its own in turn, each with a
/// higher seq than any before it, so every store replaces a held value: a durable write. Stores are numbered
/// by their transaction id; the answer to each (acknowledged, or its KRPC error code) and when it came are
/// kept, so that a run can sum up any phase of it afterwards. The sources say they are read-only (BEP 43), as
/// a storing client does, so the node does not query them back.
/// </summary>
internal sealed class StoreSources : IDisposable
{
    private const int AcknowledgedCode = -1;
    private static readonly byte[] TokenTransaction = "tk"u8.ToArray();

    private readonly IPEndPoint _node;
    private readonly Socket[] _sockets;
    private readonly NodeId[] _ids;
    private readonly NodeId[][] _targets;
    private readonly byte[]?[] _tokens;
    private readonly byte[] _value;
    private readonly long[] _sentAt;
    private readonly long[] _answeredAt;
    private readonly int[] _answer; // 0: none yet, AcknowledgedCode, or the error code
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _receivers;
    private int _sent;
    private long _lastSeq;
    private long _acknowledged;
    private long _refused;

    /// <param name="node">The node to store at.</param>
    /// <param name="sources">Sources, each bound to 127.20.x.y of its own.</param>
    /// <param name="keysPerSource">Keys each source stores in turn (under the node's per-source quota, 256 by default).</param>
    /// <param name="valueSize">Bytes of each value.</param>
    /// <param name="capacity">Stores that may be sent in all (their outcomes are kept in arrays of this size).</param>
    public StoreSources(IPEndPoint node, int sources, int keysPerSource, int valueSize, int capacity)
    {
        _node = node;
        _sockets = new Socket[sources];
        _ids = new NodeId[sources];
        _targets = new NodeId[sources][];
        _tokens = new byte[]?[sources];
        _value = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{valueSize}:{new string('v', valueSize)}"));
        _sentAt = new long[capacity];
        _answeredAt = new long[capacity];
        _answer = new int[capacity];
        for (int s = 0; s < sources; s++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(new IPAddress([127, 20, (byte)((s + 1) >> 8), (byte)(s + 1)]), 0));
            _sockets[s] = socket;
            _ids[s] = NodeId.FromKey(string.Create(CultureInfo.InvariantCulture, $"store source {s}"));
            _targets[s] = [.. Enumerable.Range(0, keysPerSource).Select(k => NodeId.FromKey(string.Create(CultureInfo.InvariantCulture, $"source {s} key {k}")))];
        }

        _receivers = [.. Enumerable.Range(0, sources).Select(s => Task.Run(() => ReceiveAsync(s)))];
    }

    /// <summary>Stores sent so far: the stores of one phase of a run are those numbered between two readings.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Stores acknowledged so far (answered with a response: durable).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Stores answered with a KRPC error so far.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Asks the node for every source's write token (a find_value), until each has one or 10 s have passed.</summary>
    public async Task FetchTokensAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 40 && _tokens.Any(t => t is null); attempt++)
        {
            RequestTokens();
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        if (_tokens.Any(t => t is null))
        {
            throw new InvalidOperationException("the node gave no write token to some sources within 10 s");
        }
    }

    /// <summary>
    /// A find_value from every source: its answer renews the source's token (a token lives 5-10 minutes at
    /// the node's default rotation, so a long run renews them on its way).
    /// </summary>
    public void RequestTokens()
    {
        for (int s = 0; s < _sockets.Length; s++)
        {
            var target = _targets[s][0];
            Send(s, KrpcBytes.Query(NamedValueMethods.FindValue, TokenTransaction, _ids[s], m =>
            {
                m.Target = target;
                m.ReadOnly = true;
                m.Fields |= KrpcFields.Target;
            }));
        }
    }

    /// <summary>Sends the next store, from the next source in turn; false once <c>capacity</c> stores were sent.</summary>
    public bool SendNext()
    {
        int n = _sent;
        if (n >= _answer.Length)
        {
            return false;
        }

        int source = n % _sockets.Length;
        var keys = _targets[source];
        var target = keys[n / _sockets.Length % keys.Length];
        var token = Volatile.Read(ref _tokens[source]) ?? throw new InvalidOperationException("no token: call FetchTokensAsync first");

        // A seq from the clock in microseconds, as the node's own writers use, and always above the last one.
        long seq = _lastSeq = Math.Max(_lastSeq + 1, (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10);
        Span<byte> transaction = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(transaction, n);
        byte[] query = KrpcBytes.Query(NamedValueMethods.Store, transaction, _ids[source], m =>
        {
            m.Target = target;
            m.Token = token;
            m.Value = _value;
            m.Seq = seq;
            m.ReadOnly = true;
            m.Fields |= KrpcFields.Target | KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq;
        });
        _sentAt[n] = Stopwatch.GetTimestamp();
        Volatile.Write(ref _sent, n + 1);
        Send(source, query);
        return true;
    }

    /// <summary>
    /// The answers to the stores numbered [<paramref name="from"/>, <paramref name="to"/>); call once the run
    /// has stopped sending and late answers had time to come in.
    /// </summary>
    /// <param name="from">First store of the phase.</param>
    /// <param name="to">One past its last.</param>
    /// <param name="startedAt">The phase's start (a <see cref="Stopwatch"/> timestamp), for the first acknowledgement's delay.</param>
    public StoreSummary Summarize(int from, int to, long startedAt)
    {
        var acknowledged = new List<double>();
        var refused = new List<double>();
        var codes = new SortedDictionary<int, int>();
        long firstAcknowledged = long.MaxValue;
        for (int i = from; i < to; i++)
        {
            int answer = Volatile.Read(ref _answer[i]);
            if (answer == 0)
            {
                continue;
            }

            double ms = Stopwatch.GetElapsedTime(_sentAt[i], _answeredAt[i]).TotalMilliseconds;
            if (answer == AcknowledgedCode)
            {
                acknowledged.Add(ms);
                firstAcknowledged = Math.Min(firstAcknowledged, _answeredAt[i]);
            }
            else
            {
                refused.Add(ms);
                codes[answer] = codes.GetValueOrDefault(answer) + 1;
            }
        }

        return new StoreSummary(
            to - from,
            LatencySummary.Of(acknowledged),
            codes,
            LatencySummary.Of(refused),
            firstAcknowledged == long.MaxValue ? double.NaN : Stopwatch.GetElapsedTime(startedAt, firstAcknowledged).TotalMilliseconds);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        Task.WaitAll(_receivers);
        _stop.Dispose();
    }

    private void Send(int source, byte[] datagram)
    {
        try
        {
            _sockets[source].SendTo(datagram, _node);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
        {
            // Not sent: the store stays unanswered, which is how the summary counts it.
        }
    }

    private async Task ReceiveAsync(int source)
    {
        var socket = _sockets[source];
        byte[] buffer = new byte[2048];
        var message = new KrpcMessage();
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            int length;
            try
            {
                length = (await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token)).ReceivedBytes;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stop.IsCancellationRequested))
            {
                return;
            }

            long arrived = Stopwatch.GetTimestamp();
            if (!KrpcParser.Parse(buffer.AsMemory(0, length), message).IsOk)
            {
                continue;
            }

            if (message.Kind == KrpcMessageKind.Response && message.TransactionId.Span.SequenceEqual(TokenTransaction))
            {
                if (message.Has(KrpcFields.Token))
                {
                    Volatile.Write(ref _tokens[source], message.Token.ToArray());
                }

                continue;
            }

            if (message.Kind is not (KrpcMessageKind.Response or KrpcMessageKind.Error) || message.TransactionId.Length != 4)
            {
                continue;
            }

            int n = BinaryPrimitives.ReadInt32BigEndian(message.TransactionId.Span);
            if (n < 0 || n >= Volatile.Read(ref _sent) || n % _sockets.Length != source || _answer[n] != 0)
            {
                continue;
            }

            _answeredAt[n] = arrived;
            bool acknowledged = message.Kind == KrpcMessageKind.Response;
            Volatile.Write(ref _answer[n], acknowledged ? AcknowledgedCode : Math.Max(1, message.ErrorCode));
            Interlocked.Increment(ref acknowledged ? ref _acknowledged : ref _refused);
        }
    }
}
