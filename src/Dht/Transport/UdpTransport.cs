// The real network under the engine: one UDP socket, a receive thread, synchronous sends.
//
// Built for a node answering tens of thousands of queries per second, so the steady-state packet path
// allocates nothing and calls the receiver inline (the receiver is the engine's front door and copies what
// it keeps); blocking receive threads avoid the per-datagram task machinery of async receives. On 64-bit
// Linux the transports of a process share one receive thread (LinuxReceiveLoop: epoll, recvmmsg, and the
// replies to a batch leave in one sendmmsg); elsewhere, or when asked, each transport has its own thread,
// which reuses one 64 KiB buffer and one SocketAddress and reads the source address without allocating.
//
// One socket serves one address family. Dual-mode (IPv4-mapped addresses on an IPv6 socket) is left off
// on purpose: BEP 32 treats the IPv4 and IPv6 DHTs as separate networks with separate routing tables, so
// a dual-stack node runs two transports. Datagrams for the other family are counted as send errors.
//
// ICMP "port unreachable" must not break an unconnected UDP socket: Windows reports it as a connection
// reset on the next receive unless SIO_UDP_CONNRESET is turned off; Linux only reports it for connected
// sockets or with IP_RECVERR, neither of which we use. Any reset or refusal that still surfaces is counted
// and the loop goes on.
//
// This file holds the socket, sends, shutdown and the thread-per-transport receive loops; the shared-loop half
// is UdpTransport.SharedLoop.cs and the log messages are UdpTransport.Log.cs.
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dht.Transport;

/// <summary>A <see cref="IDatagramTransport"/> over a UDP socket.</summary>
internal sealed partial class UdpTransport : IDatagramTransport
{
    /// <summary>Receive buffer size: the largest UDP payload fits, so no datagram is ever truncated.</summary>
    public const int MaxDatagramSize = 65_536;

    // Windows' _WSAIOW(IOC_VENDOR, 12): turns off "connection reset" reports caused by ICMP port unreachable.
    private const int SioUdpConnReset = unchecked((int)0x9800000C);

    // Sends come from the receive thread and from the engine's timer thread, possibly at the same time;
    // a per-thread address lets each build its destination without allocating and without a lock. Every
    // send overwrites port and address completely, so sharing across transports is harmless.
    [ThreadStatic]
    private static SocketAddress? t_sendAddressV4;

    [ThreadStatic]
    private static SocketAddress? t_sendAddressV6;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly bool _isIPv6;
    private readonly bool _batchReceive;
    private LinuxReceiveLoop? _loop; // the shared receive thread, when this transport uses it
    private readonly TaskCompletionSource _receiveLoopExited =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IDatagramReceiver? _receiver;
    private Thread? _receiveThread;
    private long _loopId;

    // While a receive thread hands a batch to the receiver: that thread's managed id (0 otherwise) and its reply
    // slots. Replies the receiver sends on that thread are queued and leave together (sendmmsg) after the batch;
    // only that thread ever writes its own id here, so another thread never mistakes itself for it.
    private int _handlingThread;
    private LinuxBatchSender? _replies;
    private int _disposed;

    private long _datagramsReceived;
    private long _bytesReceived;
    private long _datagramsSent;
    private long _bytesSent;
    private long _sendErrors;
    private long _receiveErrors;
    private long _receiverFaults;

    /// <summary>
    /// Binds a UDP socket to <paramref name="localEndPoint"/> (port 0 picks a free port). Throws
    /// <see cref="SocketException"/> if the address cannot be bound.
    /// </summary>
    public UdpTransport(IPEndPoint localEndPoint, UdpTransportOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        options ??= new UdpTransportOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReceiveBufferSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SendBufferSize);
        _logger = logger ?? NullLogger.Instance;

        var family = localEndPoint.AddressFamily;
        if (family != AddressFamily.InterNetwork && family != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("Only IPv4 and IPv6 endpoints can be bound.", nameof(localEndPoint));
        }

        _isIPv6 = family == AddressFamily.InterNetworkV6;
        _batchReceive = options.BatchReceive && LinuxBatchReceiver.IsSupported;
        _loop = _batchReceive && options.SharedReceiveThread ? options.ReceiveLoop ?? LinuxReceiveLoop.Shared : null;
        _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (_isIPv6)
            {
                _socket.DualMode = false;
            }

            if (OperatingSystem.IsWindows())
            {
                _socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
            }

            TrySetBufferSizes(options);
            _socket.Bind(localEndPoint);
            LocalEndPoint = NetEndPoint.FromIPEndPoint((IPEndPoint)_socket.LocalEndPoint!);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LogBound(_logger, LocalEndPoint, _socket.ReceiveBufferSize, _socket.SendBufferSize);
    }

    /// <summary>The bound endpoint, with the port the system chose when 0 was asked for.</summary>
    public NetEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams delivered to the receiver.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    /// <summary>Payload bytes delivered to the receiver.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Datagrams handed to the operating system.</summary>
    public long DatagramsSent => Interlocked.Read(ref _datagramsSent);

    /// <summary>Payload bytes handed to the operating system.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Sends dropped: socket errors, a destination of the other address family, or a closed transport.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Receive calls that failed (ICMP-induced resets included) or gave an unreadable source address.</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Exceptions thrown by the receiver, caught so that the receive loop keeps going.</summary>
    public long ReceiverFaults => Interlocked.Read(ref _receiverFaults);

    /// <inheritdoc />
    public void Start(IDatagramReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _receiver, receiver, null) is not null)
        {
            throw new InvalidOperationException("The transport has already been started.");
        }

        if (_loop is { } loop && TryStartOnLoop(loop))
        {
            return;
        }

        var thread = new Thread(ReceiveLoop)
        {
            IsBackground = true,
            Name = $"dht udp {LocalEndPoint}",
        };
        _receiveThread = thread;
        thread.Start();
    }

    /// <inheritdoc />
    public void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram)
    {
        if (destination.IsIPv6 != _isIPv6)
        {
            Interlocked.Increment(ref _sendErrors);
            return;
        }

        // Replies produced while a receive thread handles a batch leave together after it (sendmmsg).
        if (IsHandlingHere && _replies is { } batch)
        {
            if (batch.TryQueue(_socket, destination, datagram, out int flushed, out int lost))
            {
                Interlocked.Add(ref _bytesSent, datagram.Length);
                CountFlush(flushed, lost);
                return;
            }
        }

        SocketAddress address;
        if (_isIPv6)
        {
            address = t_sendAddressV6 ??= new SocketAddress(AddressFamily.InterNetworkV6);
        }
        else
        {
            address = t_sendAddressV4 ??= new SocketAddress(AddressFamily.InterNetwork);
        }

        SocketAddressConverter.Write(destination, address);
        try
        {
            int sent = _socket.SendTo(datagram, SocketFlags.None, address);
            Interlocked.Increment(ref _datagramsSent);
            Interlocked.Add(ref _bytesSent, sent);
        }
        catch (SocketException e)
        {
            Interlocked.Increment(ref _sendErrors);
            LogSendFailed(_logger, destination, e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // A send racing with shutdown is a packet lost at the last moment, not a bug.
            Interlocked.Increment(ref _sendErrors);
        }
    }

    /// <summary>Stops receiving (waits until no receive thread is inside this transport) and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await WaitForReceiveLoopAsync().ConfigureAwait(false);
            return;
        }

        if (_loop is { } loop)
        {
            // Off the shared loop first, while the descriptor is still open; then nothing touches the socket.
            if (_loopId != 0)
            {
                await loop.RemoveAsync(_loopId).ConfigureAwait(false);
            }

            _socket.Dispose();
            if (!IsHandlingHere)
            {
                _receiveLoopExited.TrySetResult(); // else HandleBatch does, once it has left the receiver
            }

            return;
        }

        WakeReceiveThread();
        _socket.Dispose();
        await WaitForReceiveLoopAsync().ConfigureAwait(false);
    }

    private Task WaitForReceiveLoopAsync()
    {
        if (_loop is { } loop)
        {
            return _loopId == 0 || IsHandlingHere ? Task.CompletedTask : _receiveLoopExited.Task;
        }

        return _receiveThread is null || _receiveThread == Thread.CurrentThread
            ? Task.CompletedTask // never started, or disposed from inside the receiver: nothing to wait for
            : _receiveLoopExited.Task;
    }

    private bool IsHandlingHere => Volatile.Read(ref _handlingThread) == Environment.CurrentManagedThreadId;

    private void ReceiveLoop()
    {
        if (_batchReceive)
        {
            ReceiveBatches(_receiver!);
            return;
        }

        var receiver = _receiver!;
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagramSize, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily);
        int sourceCapacity = source.Size;
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                int received;
                try
                {
                    // ReceiveFrom shrinks Size to the address it got; give it the full capacity back.
                    source.Size = sourceCapacity;
                    received = _socket.ReceiveFrom(buffer, SocketFlags.None, source);
                }
                catch (SocketException) when (Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException e) when (IsTransient(e.SocketErrorCode))
                {
                    Interlocked.Increment(ref _receiveErrors);
                    LogReceiveFailed(_logger, e.SocketErrorCode);
                    continue;
                }
                catch (SocketException e)
                {
                    Interlocked.Increment(ref _receiveErrors);
                    LogReceiveLoopStopped(_logger, e, LocalEndPoint);
                    break;
                }

                if (Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }

                if (!SocketAddressConverter.TryRead(source, out var from))
                {
                    Interlocked.Increment(ref _receiveErrors);
                    continue;
                }

                Deliver(receiver, from, buffer.AsSpan(0, received));
            }
        }
        finally
        {
            _receiveLoopExited.TrySetResult();
        }
    }

    private void ReceiveBatches(IDatagramReceiver receiver)
    {
        try
        {
            using var batch = new LinuxBatchReceiver();
            using var replies = new LinuxBatchSender();
            while (Volatile.Read(ref _disposed) == 0)
            {
                int received = batch.Receive(_socket, wait: true);
                if (Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }

                if (received < 0)
                {
                    if (ReceiveFailed(received))
                    {
                        continue;
                    }

                    break;
                }

                HandleBatch(batch, received, receiver, replies);
            }
        }
        finally
        {
            _receiveLoopExited.TrySetResult();
        }
    }

    private void CountFlush(int sent, int failed)
    {
        if (sent > 0)
        {
            Interlocked.Add(ref _datagramsSent, sent);
        }

        if (failed > 0)
        {
            Interlocked.Add(ref _sendErrors, failed);
        }
    }

    private void Deliver(IDatagramReceiver receiver, NetEndPoint from, ReadOnlySpan<byte> datagram)
    {
        Interlocked.Increment(ref _datagramsReceived);
        Interlocked.Add(ref _bytesReceived, datagram.Length);
        try
        {
            receiver.OnDatagram(from, datagram);
        }
#pragma warning disable CA1031 // The receiver must not throw; if it does, one datagram is lost, not the node.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _receiverFaults);
            LogReceiverFailed(_logger, e, from);
        }
    }

    // Linux errno values after which the socket is still fine: EAGAIN, ENOMEM, ENOBUFS, ECONNREFUSED, EHOSTUNREACH.
    private static bool IsTransientErrno(int errno) => errno is 11 or 12 or 105 or 111 or 113;

    // Errors about one datagram or one remote host, after which the socket is still fine.
    private static bool IsTransient(SocketError error) => error is
        SocketError.ConnectionReset or
        SocketError.ConnectionRefused or
        SocketError.HostUnreachable or
        SocketError.NetworkUnreachable or
        SocketError.NetworkReset or
        SocketError.MessageSize or
        SocketError.NoBufferSpaceAvailable or
        SocketError.Interrupted or
        SocketError.WouldBlock or
        SocketError.TimedOut;

    // Closing a socket unblocks a pending receive on Linux and Windows but not everywhere (macOS keeps a
    // UDP receive blocked), so an empty datagram to ourselves makes the loop look at the disposed flag.
    private void WakeReceiveThread()
    {
        if (_receiveThread is null)
        {
            return;
        }

        var self = LocalEndPoint;
        if (self.IsUnusable)
        {
            self = self.IsIPv6
                ? NetEndPoint.FromIPv6(IPAddress.IPv6Loopback.GetAddressBytes(), self.Port)
                : NetEndPoint.FromIPv4(0x7F000001, self.Port);
        }

        try
        {
            _socket.SendTo([], SocketFlags.None, SocketAddressConverter.Create(self));
        }
        catch (SocketException e)
        {
            // Closing the socket below still unblocks the receive on the main platforms.
            LogSendFailed(_logger, self, e.SocketErrorCode);
        }
    }

    private void TrySetBufferSizes(UdpTransportOptions options)
    {
        try
        {
            _socket.ReceiveBufferSize = options.ReceiveBufferSize;
            _socket.SendBufferSize = options.SendBufferSize;
        }
        catch (SocketException e)
        {
            // Some systems refuse sizes above their maximum instead of capping them; run with what we have.
            LogBufferSizeRefused(_logger, e.SocketErrorCode);
        }
    }
}
