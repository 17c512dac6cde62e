using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Dht.Transport;
using Microsoft.Extensions.Logging;

namespace Dht.Tests.Transport;

// Real sockets on loopback; every wait is on a completion bounded by a 10-second token.
public sealed class LinuxReceiveLoopFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Loop_WhoseEpollFails_TellsItsTransports_AndLaterSocketsGetAThreadOfTheirOwn()
    {
        var loop = LinuxReceiveLoop.Create();
        if (loop is null)
        {
            return; // no shared loop on this platform: every transport has its own thread already
        }

        using var cts = new CancellationTokenSource(Timeout);
        var log = new StoppedLog();
        var onLoop = new UdpTransportOptions { ReceiveLoop = loop };
        await using var sender = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), new UdpTransportOptions { SharedReceiveThread = false });
        await using var a = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), onLoop, log);
        var toA = new RecordingReceiver();
        a.Start(toA);
        sender.Send(a.LocalEndPoint, "one"u8);
        await toA.WaitForCountAsync(1, cts.Token);

        // Put a plain socket where the loop's epoll descriptor was. A wait under way keeps the epoll instance and
        // returns with the next datagram ("two" wakes it); the wait after that fails (EINVAL), as a broken
        // descriptor would. The loop thread may also not be waiting yet (it may still be on its way back from
        // "one"), and then its next wait fails at once: either way the loop stops and says so, and whether "two"
        // was received before that depends on the race, so it is not asserted.
        using var notEpoll = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Equal(loop.EpollDescriptor, Dup2((int)notEpoll.Handle, loop.EpollDescriptor));
        sender.Send(a.LocalEndPoint, "two"u8);
        const int EInval = 22;
        Assert.Equal(EInval, await log.Stopped.Task.WaitAsync(cts.Token));

        // A socket added to the stopped loop is refused and receives on a thread of its own.
        await using var b = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), onLoop);
        var toB = new RecordingReceiver();
        b.Start(toB);
        sender.Send(b.LocalEndPoint, "three"u8);
        await toB.WaitForCountAsync(1, cts.Token);
        Assert.Equal("three"u8.ToArray(), toB[0].Data);
    }

#pragma warning disable SYSLIB1054 // a plain import keeps unsafe code out of the test project; two ints need no marshalling
    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int oldFd, int newFd);
#pragma warning restore SYSLIB1054

    // Completes with the errno the transport logs when its shared receive thread stops.
    private sealed class StoppedLog : ILogger
    {
        public TaskCompletionSource<int> Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields
                && fields.Any(f => f.Key == "{OriginalFormat}" && f.Value is string s && s.StartsWith("The shared receive thread stopped", StringComparison.Ordinal)))
            {
                Stopped.TrySetResult((int)fields.First(f => f.Key == "Errno").Value!);
            }
        }
    }
}
