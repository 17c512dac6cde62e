// One receive thread for every UDP transport of the process (64-bit Linux, epoll).
//
// A thread per socket is simple, but it makes every datagram between two nodes of one process a thread
// wake-up: the sender's thread hands the datagram to the kernel, which wakes the receiver's thread, whose reply
// wakes the first again. With fifty nodes in a process, an iterative lookup plus its stores wakes threads
// dozens of times, and on a machine with few cores the woken threads queue behind each other. Here one thread
// waits on all sockets at once (level-triggered epoll) and takes each ready socket's datagrams in batches
// (recvmmsg), so a query from one local node to another is answered on the same thread without a switch,
// and a process with many nodes does not need a thread each. A process with one node has one receive thread,
// as before.
//
// The loop owns the receive and send slots (one set for all sockets: it handles one socket at a time), and
// takes at most a few batches from one socket before it looks at the others, so a flooded socket cannot
// starve the rest. Removing a socket waits until the loop is no longer inside it, so that a transport can
// close its socket safely afterwards. If the epoll descriptor itself fails (a bug: every wait would fail again),
// the loop stops, tells each of its transports, and sockets added later get a thread of their own.
using System.Runtime.InteropServices;

namespace Dht.Transport;

/// <summary>A receive thread shared by the UDP transports of a process (64-bit Linux).</summary>
internal sealed unsafe partial class LinuxReceiveLoop
{
    /// <summary>Batches taken from one ready socket before the loop looks at the others.</summary>
    private const int BatchesPerTurn = 4;

    private const int MaxEvents = 64;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int EpollCloExec = 0x80000;
    private const int EIntr = 4;

    private static readonly Lazy<LinuxReceiveLoop?> SharedLoop = new(Create);

    // struct epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) on arm64.
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, (UdpTransport Transport, int Fd)> _registered = [];
    private readonly LinuxBatchReceiver _receiver = new();
    private readonly LinuxBatchSender _sender = new();
    private Thread? _thread;
    private int _failedErrno; // set (under _lock) once epoll_wait has failed for good: the loop has stopped
    private long _nextId;
    private long _current; // id of the transport being handled, 0 when none
    private TaskCompletionSource? _currentDone; // completed when the loop leaves _current (someone waits to remove it)

    private LinuxReceiveLoop(int epoll) => _epoll = epoll;

    /// <summary>True where the shared loop can run (64-bit little-endian Linux on x86-64 or arm64).</summary>
    public static bool IsSupported =>
        LinuxBatchReceiver.IsSupported
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>The process-wide loop, or null where it cannot run (the transport then uses its own thread).</summary>
    public static LinuxReceiveLoop? Shared => IsSupported ? SharedLoop.Value : null;

    /// <summary>The loop's thread: datagrams of every registered transport are handled on it.</summary>
    public bool IsLoopThread => _thread == Thread.CurrentThread;

    /// <summary>The epoll descriptor the loop waits on (tests break it to see the loop stop).</summary>
    internal int EpollDescriptor => _epoll;

    /// <summary>A registration id, never 0 and never reused; the transport keeps it before it is added.</summary>
    public long NewId() => Interlocked.Increment(ref _nextId);

    /// <summary>
    /// Starts delivering the datagrams of <paramref name="transport"/>, whose socket is <paramref name="fd"/>
    /// (open for as long as it is registered). Throws <see cref="System.Net.Sockets.SocketException"/> if the
    /// socket cannot be watched, or the loop has stopped.
    /// </summary>
    public void Add(long id, UdpTransport transport, int fd)
    {
        lock (_lock)
        {
            if (_failedErrno != 0)
            {
                throw new System.Net.Sockets.SocketException(_failedErrno);
            }

            _registered.Add(id, (transport, fd));
            try
            {
                EnsureThread();
            }
            catch
            {
                _registered.Remove(id);
                throw;
            }
        }

        var ev = stackalloc byte[16];
        new Span<byte>(ev, 16).Clear();
        *(uint*)ev = EpollIn;
        *(long*)(ev + DataOffset) = id;
        if (EpollCtl(_epoll, EpollCtlAdd, fd, ev) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            lock (_lock)
            {
                _registered.Remove(id);
            }

            throw new System.Net.Sockets.SocketException(errno);
        }
    }

    /// <summary>
    /// Stops delivering the transport's datagrams. The task completes once the loop is no longer handling
    /// them (at once when called from the loop itself), after which the socket may be closed.
    /// </summary>
    public Task RemoveAsync(long id)
    {
        lock (_lock)
        {
            if (!Unregister(id))
            {
                return Task.CompletedTask;
            }

            if (_current != id || IsLoopThread)
            {
                return Task.CompletedTask;
            }

            _currentDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _currentDone.Task;
        }
    }

    /// <summary>A loop of its own (tests); null where the loop cannot run.</summary>
    internal static LinuxReceiveLoop? Create()
    {
        if (!IsSupported)
        {
            return null;
        }

        try
        {
            int epoll = EpollCreate1(EpollCloExec);
            return epoll < 0 ? null : new LinuxReceiveLoop(epoll);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // not glibc-compatible after all: every transport keeps its own thread
        }
    }

    // Under _lock. The descriptor is still open (sockets are closed only after removal), so DEL cannot hit
    // another socket that reused the number.
    private bool Unregister(long id)
    {
        if (!_registered.Remove(id, out var registration))
        {
            return false;
        }

        EpollCtl(_epoll, EpollCtlDel, registration.Fd, null);
        return true;
    }

    private void EnsureThread()
    {
        if (_thread is not null)
        {
            return;
        }

        var thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "dht udp receive",
        };
        thread.Start();
        _thread = thread;
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.AllocZeroed((nuint)(MaxEvents * EventSize));
        try
        {
            RunUntilFailed(events);
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    private void RunUntilFailed(byte* events)
    {
        while (true)
        {
            int ready = EpollWait(_epoll, events, MaxEvents, -1);
            if (ready < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr)
                {
                    continue; // a signal
                }

                // EBADF, EFAULT or EINVAL: the descriptor itself is broken, and every further wait would fail
                // the same way at once.
                Stop(errno);
                return;
            }

            for (int i = 0; i < ready; i++)
            {
                long id = *(long*)(events + (i * EventSize) + DataOffset);
                UdpTransport transport;
                lock (_lock)
                {
                    if (!_registered.TryGetValue(id, out var registration))
                    {
                        continue; // removed after epoll reported it
                    }

                    transport = registration.Transport;
                    _current = id;
                }

                try
                {
                    transport.ReceiveReady(_receiver, _sender, BatchesPerTurn);
                }
#pragma warning disable CA1031 // One faulty transport (its logger threw, say) must not stop every node of the process.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    lock (_lock)
                    {
                        Unregister(id);
                    }

                    transport.OnReceiveLoopFault(e);
                }
                finally
                {
                    TaskCompletionSource? done;
                    lock (_lock)
                    {
                        _current = 0;
                        done = _currentDone;
                        _currentDone = null;
                    }

                    done?.TrySetResult();
                }
            }
        }
    }

    // The loop cannot wait any more: every transport on it is told (it receives no more, and says so in its
    // log), and sockets added from now on get a receive thread of their own (Add throws, as when epoll refuses
    // a socket).
    private void Stop(int errno)
    {
        List<UdpTransport> stranded;
        lock (_lock)
        {
            _failedErrno = errno;
            stranded = [.. _registered.Values.Select(r => r.Transport)];
            _registered.Clear();
        }

        Close(_epoll);
        foreach (var transport in stranded)
        {
            transport.OnSharedLoopStopped(errno);
        }
    }

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, void* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, void* events, int maxEvents, int timeout);
}
