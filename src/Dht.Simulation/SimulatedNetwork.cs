// An in-memory datagram network for simulations: many transports, one clock, one seeded random source.
//
// A sent datagram is copied into a pooled buffer and delivered as a clock event after the latency model's
// delay. Loss, a sending endpoint that is disconnected or gone, and partitions drop it at send time; at
// delivery the destination must still exist, be connected and be on the same side of any partition, so a
// partition or a departure also catches datagrams already in flight. The random source is drawn from in a
// fixed order (loss, then latency) only on sends, which is what makes a seed replay a run exactly.
//
// Per endpoint the network keeps one dictionary entry and a small transport object: no timers, no threads,
// no queues, so 100,000 nodes fit easily in one process.
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Simulation;

/// <summary>A simulated network of <see cref="SimulatedTransport"/>s on a <see cref="SimulationClock"/>.</summary>
public sealed class SimulatedNetwork
{
    /// <summary>The port of endpoints the network assigns itself.</summary>
    public const ushort DefaultPort = 6881;

    /// <summary>The largest IPv4 UDP payload; larger sends are dropped as a socket would refuse them.</summary>
    public const int MaxDatagramSize = 65507;

    private const uint LoopbackNetwork = 0x7F000000;
    private const uint MaxHostNumber = 0x00FFFFFF;

    private readonly Dictionary<NetEndPoint, SimulatedTransport> _transports = [];
    private readonly HashSet<NetEndPoint> _disconnected = [];
    private readonly Stack<InFlightDatagram> _pool = new();
    private readonly Random _random;
    private readonly Action<InFlightDatagram> _deliver;
    private Func<NetEndPoint, int>? _groupOf;
    private LatencyModel _latency;
    private double _lossRate;
    private uint _nextHost = 1;

    /// <summary>Creates a network on <paramref name="clock"/> whose loss and jitter come from <paramref name="random"/>.</summary>
    public SimulatedNetwork(SimulationClock clock, Random random, LatencyModel? latency = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(random);
        Clock = clock;
        _random = random;
        _latency = latency ?? LatencyModel.Default;
        _deliver = Deliver;
    }

    public SimulationClock Clock { get; }

    /// <summary>How long each datagram takes; <see cref="LatencyModel.Default"/> unless set.</summary>
    public LatencyModel Latency
    {
        get => _latency;
        set => _latency = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The probability, from 0 to 1, that a datagram is lost.</summary>
    public double LossRate
    {
        get => _lossRate;
        set
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Must be between 0 and 1.");
            }

            _lossRate = value;
        }
    }

    /// <summary>Transports currently attached (created and not disposed).</summary>
    public int TransportCount => _transports.Count;

    /// <summary>True between <see cref="Partition"/> and <see cref="Heal"/>.</summary>
    public bool IsPartitioned => _groupOf is not null;

    /// <summary>Calls to Send on any transport.</summary>
    public long DatagramsSent { get; private set; }

    /// <summary>Datagrams handed to a receiver.</summary>
    public long DatagramsDelivered { get; private set; }

    /// <summary>Datagrams dropped by <see cref="LossRate"/>.</summary>
    public long DroppedByLoss { get; private set; }

    /// <summary>Datagrams dropped because they crossed a partition.</summary>
    public long DroppedByPartition { get; private set; }

    /// <summary>Datagrams to an endpoint with no started transport at delivery time.</summary>
    public long DroppedNoEndpoint { get; private set; }

    /// <summary>Datagrams from or to a disconnected endpoint, or sent by a disposed transport.</summary>
    public long DroppedDisconnected { get; private set; }

    /// <summary>Datagrams larger than <see cref="MaxDatagramSize"/>.</summary>
    public long DroppedOversize { get; private set; }

    /// <summary>All drops together.</summary>
    public long DatagramsDropped =>
        DroppedByLoss + DroppedByPartition + DroppedNoEndpoint + DroppedDisconnected + DroppedOversize;

    /// <summary>Datagrams sent and not yet delivered or dropped.</summary>
    public long DatagramsInFlight => DatagramsSent - DatagramsDelivered - DatagramsDropped;

    /// <summary>Payload bytes of all sends.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Payload bytes handed to receivers.</summary>
    public long BytesDelivered { get; private set; }

    /// <summary>
    /// Attaches a transport at <paramref name="endPoint"/>, or at the next free address 127.x.y.z:6881
    /// (x.y.z counting up from 0.0.1, about 16 million in all).
    /// </summary>
    public SimulatedTransport CreateTransport(NetEndPoint? endPoint = null)
    {
        NetEndPoint local;
        if (endPoint is { } requested)
        {
            if (requested.IsUnusable)
            {
                throw new ArgumentException($"Cannot attach a transport at {requested}.", nameof(endPoint));
            }

            if (_transports.ContainsKey(requested))
            {
                throw new InvalidOperationException($"A transport is already attached at {requested}.");
            }

            local = requested;
        }
        else
        {
            local = NextFreeEndPoint();
        }

        var transport = new SimulatedTransport(this, local);
        _transports.Add(local, transport);
        return transport;
    }

    /// <summary>Finds the transport attached at <paramref name="endPoint"/>.</summary>
    public bool TryGetTransport(NetEndPoint endPoint, [NotNullWhen(true)] out SimulatedTransport? transport) =>
        _transports.TryGetValue(endPoint, out transport);

    /// <summary>
    /// Splits the network: from now on datagrams between endpoints in different groups are dropped, including
    /// those already in flight. Replaces any earlier partition.
    /// </summary>
    public void Partition(Func<NetEndPoint, int> groupOf)
    {
        ArgumentNullException.ThrowIfNull(groupOf);
        _groupOf = groupOf;
    }

    /// <summary>Ends the partition.</summary>
    public void Heal() => _groupOf = null;

    /// <summary>
    /// Cuts <paramref name="endPoint"/> off: its transport (if any) stays attached but everything it sends and
    /// everything that arrives for it is dropped, until <see cref="Reconnect"/>. The state belongs to the
    /// address, so a transport attached there later is disconnected too.
    /// </summary>
    public void Disconnect(NetEndPoint endPoint) => _disconnected.Add(endPoint);

    /// <summary>Undoes <see cref="Disconnect"/>.</summary>
    public void Reconnect(NetEndPoint endPoint) => _disconnected.Remove(endPoint);

    /// <summary>False while <paramref name="endPoint"/> is disconnected.</summary>
    public bool IsConnected(NetEndPoint endPoint) => _disconnected.Count == 0 || !_disconnected.Contains(endPoint);

    internal void Send(SimulatedTransport from, NetEndPoint to, ReadOnlySpan<byte> datagram)
    {
        Clock.CheckThread();
        var source = from.LocalEndPoint;
        DatagramsSent++;
        BytesSent += datagram.Length;
        if (from.IsDisposed || !IsConnected(source))
        {
            DroppedDisconnected++;
            return;
        }

        if (datagram.Length > MaxDatagramSize)
        {
            DroppedOversize++;
            return;
        }

        if (_lossRate > 0 && _random.NextDouble() < _lossRate)
        {
            DroppedByLoss++;
            return;
        }

        if (_groupOf is { } groupOf && groupOf(source) != groupOf(to))
        {
            DroppedByPartition++;
            return;
        }

        var latency = _latency.Next(_random, source, to);
        var buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        var inFlight = _pool.Count > 0 ? _pool.Pop() : new InFlightDatagram();
        inFlight.Source = source;
        inFlight.Destination = to;
        inFlight.Buffer = buffer;
        inFlight.Length = datagram.Length;
        Clock.Schedule(latency, _deliver, inFlight);
    }

    internal void Remove(SimulatedTransport transport)
    {
        if (_transports.TryGetValue(transport.LocalEndPoint, out var attached) && ReferenceEquals(attached, transport))
        {
            _transports.Remove(transport.LocalEndPoint);
        }
    }

    private void Deliver(InFlightDatagram inFlight)
    {
        try
        {
            var source = inFlight.Source;
            var destination = inFlight.Destination;
            var payload = new ReadOnlySpan<byte>(inFlight.Buffer, 0, inFlight.Length);
            if (!IsConnected(destination))
            {
                DroppedDisconnected++;
            }
            else if (_groupOf is { } groupOf && groupOf(source) != groupOf(destination))
            {
                DroppedByPartition++;
            }
            else if (!_transports.TryGetValue(destination, out var transport) || !transport.IsReceiving)
            {
                DroppedNoEndpoint++;
            }
            else
            {
                // Counted first: the receiver may send, and the counters should read as "this one arrived".
                DatagramsDelivered++;
                BytesDelivered += payload.Length;
                transport.TryDeliver(source, payload);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inFlight.Buffer);
            inFlight.Buffer = [];
            _pool.Push(inFlight);
        }
    }

    private NetEndPoint NextFreeEndPoint()
    {
        while (_nextHost <= MaxHostNumber)
        {
            var candidate = NetEndPoint.FromIPv4(LoopbackNetwork | _nextHost++, DefaultPort);
            if (!_transports.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The simulated network has run out of 127.x.y.z addresses.");
    }
}
