using Dht.Protocol;
using Dht.Transport;

namespace Dht.Simulation;

/// <summary>
/// A node's attachment to a <see cref="SimulatedNetwork"/>. Disposing it takes the endpoint off the network:
/// datagrams to it are dropped and its own sends are dropped too (the node's timers may keep trying).
/// </summary>
public sealed class SimulatedTransport : IDatagramTransport
{
    private readonly SimulatedNetwork _network;
    private IDatagramReceiver? _receiver;

    internal SimulatedTransport(SimulatedNetwork network, NetEndPoint localEndPoint)
    {
        _network = network;
        LocalEndPoint = localEndPoint;
    }

    public NetEndPoint LocalEndPoint { get; }

    /// <summary>The network this transport is attached to.</summary>
    public SimulatedNetwork Network => _network;

    /// <summary>True once started and until disposed: datagrams to it are being delivered.</summary>
    public bool IsReceiving => _receiver is not null;

    public bool IsDisposed { get; private set; }

    /// <summary>Datagrams passed to <see cref="Send"/>, dropped or not.</summary>
    public long DatagramsSent { get; private set; }

    /// <summary>Datagrams handed to the receiver.</summary>
    public long DatagramsReceived { get; private set; }

    public void Start(IDatagramReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_receiver is not null)
        {
            throw new InvalidOperationException("The transport has already been started.");
        }

        _receiver = receiver;
    }

    public void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram)
    {
        DatagramsSent++;
        _network.Send(this, destination, datagram);
    }

    public ValueTask DisposeAsync()
    {
        if (!IsDisposed)
        {
            IsDisposed = true;
            _receiver = null;
            _network.Remove(this);
        }

        return ValueTask.CompletedTask;
    }

    internal bool TryDeliver(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (_receiver is not { } receiver)
        {
            return false;
        }

        DatagramsReceived++;
        receiver.OnDatagram(source, datagram);
        return true;
    }
}
