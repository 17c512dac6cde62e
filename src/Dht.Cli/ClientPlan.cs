using Dht.Protocol;

namespace Dht.Cli;

/// <summary>A one-shot command with its arguments checked: what to run once the client has joined, or why it cannot run.</summary>
/// <param name="Error">Why the arguments cannot be run (exit status 2), found before any socket is opened.</param>
/// <param name="PingTarget">The node a ping goes to: the client joins no network, and binds that node's address family.</param>
/// <param name="Run">The operation; returns the exit status.</param>
internal sealed record ClientPlan(string? Error, NetEndPoint? PingTarget, Func<DhtNode, CancellationToken, Task<int>>? Run)
{
    public static ClientPlan Refuse(string error) => new(error, null, null);

    public static ClientPlan Of(Func<DhtNode, CancellationToken, Task<int>> run, NetEndPoint? pingTarget = null) => new(null, pingTarget, run);
}
