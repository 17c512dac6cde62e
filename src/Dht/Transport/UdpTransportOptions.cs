namespace Dht.Transport;

/// <summary>Socket settings of a <see cref="UdpTransport"/>.</summary>
public sealed class UdpTransportOptions
{
    /// <summary>
    /// Kernel receive buffer in bytes. Default 4 MiB: at tens of thousands of KRPC datagrams per second
    /// (a few hundred bytes each) it absorbs a burst of roughly ten thousand datagrams while the receive
    /// thread is busy, where the usual OS default (about 200 KiB on Linux) overflows in milliseconds.
    /// The kernel may cap it (Linux: net.core.rmem_max).
    /// </summary>
    public int ReceiveBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Kernel send buffer in bytes. Default 4 MiB, the same reasoning as <see cref="ReceiveBufferSize"/>:
    /// a full send buffer makes a UDP send wait, and sends happen on the receive thread. The kernel may
    /// cap it (Linux: net.core.wmem_max).
    /// </summary>
    public int SendBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Take every queued datagram in one system call (recvmmsg) where the platform has it (64-bit Linux).
    /// Default on; off falls back to one receive call per datagram.
    /// </summary>
    public bool BatchReceive { get; set; } = true;

    /// <summary>
    /// With <see cref="BatchReceive"/> on 64-bit Linux: the transports of the process share one receive thread
    /// (epoll), so nodes of one process answer each other without a thread wake-up per datagram, and many nodes
    /// do not need a thread each. Default on; off gives this transport a receive thread of its own (a receiver
    /// that blocks, such as a node writing to durable storage, then holds up only its own transport).
    /// </summary>
    public bool SharedReceiveThread { get; set; } = true;

    /// <summary>Tests: a receive loop of their own instead of the process-wide one.</summary>
    internal LinuxReceiveLoop? ReceiveLoop { get; set; }
}
