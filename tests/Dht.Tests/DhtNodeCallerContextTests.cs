using System.Collections.Concurrent;
using System.Net;

namespace Dht.Tests;

/// <summary>The facade behaves the same whatever SynchronizationContext its caller has.</summary>
public sealed class DhtNodeCallerContextTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static DhtOptions Loopback(params Protocol.NetEndPoint[] bootstrap)
    {
        var options = new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback };
        foreach (var b in bootstrap)
        {
            options.BootstrapNodes.Add(b);
        }

        return options;
    }

    [Fact]
    public async Task CallsFromASingleThreadedContext_ResumeOnThatThread_AndNeverLeaveWorkThereForTheNode()
    {
        using var pump = new SingleThreadContext();
        var outcome = await pump.RunAsync(async () =>
        {
            await using var first = new DhtNode(Loopback());
            await first.StartAsync();
            await using var second = new DhtNode(Loopback(first.LocalEndPoint));
            await second.StartAsync();
            Assert.True(pump.IsPumpThread);

            var joined = await second.BootstrapAsync();
            Assert.True(pump.IsPumpThread);
            var put = await second.PutAsync("caller-context", "value"u8.ToArray());
            Assert.True(pump.IsPumpThread);
            var got = await first.GetAsync("caller-context");
            Assert.True(pump.IsPumpThread);
            var status = first.GetStatus();
            return (joined.BootstrapNodesReached, put.NodesStored, Value: got.Value.ToArray(), status.Contacts);
        }).WaitAsync(Limit);

        Assert.Equal(1, outcome.BootstrapNodesReached);
        Assert.True(outcome.NodesStored >= 1);
        Assert.Equal("value"u8.ToArray(), outcome.Value);
        Assert.Equal(1, outcome.Contacts);

        // The posts the pump ran were the test's own continuations, never the node's work.
        Assert.Equal(0, pump.PostsOutsideAwaits);
    }

    [Fact]
    public async Task BlockingOnACallFromAContextThatIsNeverPumped_DoesNotDeadlock()
    {
        await using var first = new DhtNode(Loopback());
        await first.StartAsync();
        await using var second = new DhtNode(Loopback(first.LocalEndPoint));
        await second.StartAsync();

        // A UI thread that blocks on a task: any work the node posted to its context would never run.
        var stuck = new NeverPumpedContext();
        var result = await Task.Factory.StartNew(() =>
        {
            SynchronizationContext.SetSynchronizationContext(stuck);
            var joined = second.BootstrapAsync().GetAwaiter().GetResult();
            var ping = second.PingAsync(first.LocalEndPoint).GetAwaiter().GetResult();
            var put = second.PutAsync("blocking", "v"u8.ToArray()).GetAwaiter().GetResult();
            return (joined.BootstrapNodesReached, ping.Answered, put.NodesStored);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Limit);

        Assert.Equal((1, true), (result.BootstrapNodesReached, result.Answered));
        Assert.True(result.NodesStored >= 1);
        Assert.Equal(0, stuck.Posts);
    }

    /// <summary>A context whose posts are never run, like a UI thread blocked on a task.</summary>
    private sealed class NeverPumpedContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);
    }

    /// <summary>One thread running posted callbacks in order, as a UI thread does.</summary>
    private sealed class SingleThreadContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];
        private readonly Thread _thread;
        private int _postsOutsideAwaits;

        public SingleThreadContext()
        {
            _thread = new Thread(() =>
            {
                SetSynchronizationContext(this);
                foreach (var (callback, state) in _queue.GetConsumingEnumerable())
                {
                    callback(state);
                }
            }) { IsBackground = true, Name = "single-threaded caller" };
            _thread.Start();
        }

        public bool IsPumpThread => Thread.CurrentThread == _thread;

        /// <summary>Posts of the library's own code (await continuations post the runtime's callbacks).</summary>
        public int PostsOutsideAwaits => Volatile.Read(ref _postsOutsideAwaits);

        public override void Post(SendOrPostCallback d, object? state)
        {
            string ns = d.Method.DeclaringType?.Namespace ?? "";
            if (ns.StartsWith("Dht", StringComparison.Ordinal) && !ns.StartsWith("Dht.Tests", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _postsOutsideAwaits);
            }

            _queue.Add((d, state));
        }

        public Task<T> RunAsync<T>(Func<Task<T>> body)
        {
            var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(async _ =>
            {
                try
                {
                    result.SetResult(await body());
                }
                catch (Exception e)
                {
                    result.SetException(e);
                }
            }, null);
            return result.Task;
        }

        public void Dispose() => _queue.CompleteAdding();
    }
}
