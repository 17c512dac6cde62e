using Dht.Protocol;

namespace Dht.Transport;

/// <summary>
/// The only way the engine reaches the network: best-effort datagrams to and from endpoints. The real node
/// runs it over UDP; simulations run it over an in-memory network with a virtual clock.
/// </summary>
public interface IDatagramTransport : IAsyncDisposable
{
    /// <summary>The endpoint this transport receives on (the bound UDP address, or the simulated one).</summary>
    NetEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Starts delivering received datagrams to <paramref name="receiver"/>. Called once. Datagrams are
    /// delivered one at a time (never concurrently) and the span is valid only during the call.
    /// </summary>
    void Start(IDatagramReceiver receiver);

    /// <summary>
    /// Sends one datagram, best effort: never blocks and never throws for network conditions (a failed send
    /// is counted and dropped, like a lost packet). The span may be reused as soon as the call returns.
    /// </summary>
    void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram);
}
