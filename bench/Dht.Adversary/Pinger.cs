using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dht.PerfHost;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>
/// The legitimate peer: pings the node at a steady rate from 127.0.0.1 (a source of its own) and keeps the
/// round-trip time of every ping, so that a run can say whether the node kept answering it, and how fast.
/// </summary>
internal sealed class Pinger : IDisposable
{
    private const int MaxPings = 1 << 20;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _target;
    private readonly TimeSpan _interval;
    private readonly NodeId _id = NodeId.CreateRandom();
    private readonly long[] _sentAt = new long[MaxPings];
    private readonly double[] _rttMs = new double[MaxPings];
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private volatile bool _stopping;
    private int _sent;
    private int _reported;

    public Pinger(IPEndPoint target, TimeSpan interval)
    {
        _target = target;
        _interval = interval;
        Array.Fill(_rttMs, double.NaN);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "pinger-send" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "pinger-receive" };
    }

    public void Start()
    {
        _receiver.Start();
        _sender.Start();
    }

    /// <summary>Round trips (ms) of the pings sent since the previous call, and how many of them are unanswered so far.</summary>
    public (List<double> RoundTrips, int Unanswered) TakeInterval()
    {
        int end = Volatile.Read(ref _sent);
        var rtts = new List<double>();
        int unanswered = 0;
        for (int i = _reported; i < end; i++)
        {
            double rtt = Volatile.Read(ref _rttMs[i]);
            if (double.IsNaN(rtt))
            {
                unanswered++;
            }
            else
            {
                rtts.Add(rtt);
            }
        }

        _reported = end;
        return (rtts, unanswered);
    }

    /// <summary>Pings sent so far: the pings of one phase of a run are those numbered between two readings.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Stops pinging, waits a second for late answers, and summarises every ping.</summary>
    public PingSummary Stop()
    {
        _stopping = true;
        _sender.Join();
        Thread.Sleep(1000);
        _socket.Close();
        _receiver.Join();
        return Summarize(0, _sent);
    }

    /// <summary>What the pings numbered [<paramref name="from"/>, <paramref name="to"/>) saw; after <see cref="Stop"/>, so that late answers are in.</summary>
    public PingSummary Summarize(int from, int to)
    {
        var rtts = new List<double>(to - from);
        for (int i = from; i < to; i++)
        {
            if (!double.IsNaN(_rttMs[i]))
            {
                rtts.Add(_rttMs[i]);
            }
        }

        return new PingSummary(to - from, rtts.Count, Percentiles.Of(rtts, 0.5), Percentiles.Of(rtts, 0.99), rtts.Count == 0 ? double.NaN : rtts.Max());
    }

    public void Dispose() => _socket.Dispose();

    private void SendLoop()
    {
        Span<byte> t = stackalloc byte[4];
        var clock = Stopwatch.StartNew();
        long next = 0;
        while (!_stopping && _sent < MaxPings)
        {
            long now = clock.ElapsedTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency;
            if (now < next)
            {
                Thread.Sleep(1);
                continue;
            }

            next += _interval.Ticks;
            int sequence = _sent;
            BinaryPrimitives.WriteInt32BigEndian(t, sequence);
            byte[] ping = KrpcBytes.Query(KrpcMethod.Ping, t, _id, null);
            _sentAt[sequence] = Stopwatch.GetTimestamp();
            Volatile.Write(ref _sent, sequence + 1);
            _socket.SendTo(ping, _target);
        }
    }

    private void ReceiveLoop()
    {
        byte[] buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var message = new KrpcMessage();
        while (true)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException) when (_stopping)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            long arrived = Stopwatch.GetTimestamp();
            if (!KrpcParser.Parse(buffer.AsMemory(0, n), message).IsOk || message.Kind != KrpcMessageKind.Response || message.TransactionId.Length != 4)
            {
                continue;
            }

            int sequence = BinaryPrimitives.ReadInt32BigEndian(message.TransactionId.Span);
            if (sequence >= 0 && sequence < Volatile.Read(ref _sent) && double.IsNaN(_rttMs[sequence]))
            {
                Volatile.Write(ref _rttMs[sequence], Stopwatch.GetElapsedTime(_sentAt[sequence], arrived).TotalMilliseconds);
            }
        }
    }
}
