using Dht.Engine.Loop;
using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Simulation;

namespace Dht.Tests.Engine;

/// <summary>
/// The client side of a node over a <see cref="ScriptedNetwork"/> on a simulation clock: its loop, lookups, write
/// path and operation context, for tests of what operations send and believe.
/// </summary>
internal sealed class ScriptedNode
{
    public ScriptedNode(string name, LookupOptions? lookups = null)
    {
        Loop = new HostedLoop(Clock.SynchronizationContext, e => throw e);
        Network = new ScriptedNetwork(NodeId.FromKey(name), Clock, Loop);
        Lookups = new LookupRunner(Network, Loop, Clock, lookups ?? new LookupOptions());
        Writes = new WritePath(Network, Loop, Clock);
        Operations = new OperationContext(Network, Lookups, Writes, Loop, Clock, 8, e => throw e);
    }

    public SimulationClock Clock { get; } = new();

    public HostedLoop Loop { get; }

    public ScriptedNetwork Network { get; }

    public LookupRunner Lookups { get; }

    public WritePath Writes { get; }

    public OperationContext Operations { get; }

    /// <summary>Starts <paramref name="operation"/> on the loop; the clock has not run yet.</summary>
    public Task<T> Start<T>(Func<Task<T>> operation) => Loop.InvokeAsync(operation);

    /// <summary>Starts <paramref name="operation"/> on the loop and runs the clock until it has finished.</summary>
    public async Task<T> Run<T>(Func<Task<T>> operation)
    {
        var task = Start(operation);
        Assert.True(Clock.RunUntil(() => task.IsCompleted, TimeSpan.FromMinutes(1)), "the operation did not finish");
        return await task;
    }
}
