// Joining the network (the paper's join procedure): ping the bootstrap nodes and the contacts saved by an
// earlier run, look up our own id, then refresh every bucket farther away than our closest neighbour. Run by
// the application's BootstrapAsync, and again by routing upkeep when the table has lost every usable contact.
using Dht.Engine.Bep5;
using Dht.Engine.Network;
using Dht.Protocol;
using Microsoft.Extensions.Logging;

namespace Dht.Engine.Maintenance;

/// <summary>The join procedure of one network.</summary>
internal sealed partial class Bootstrapper(
    NodeFamily family,
    Bep5Operations bep5,
    ICollection<NetEndPoint> bootstrapNodes,
    IReadOnlyList<NetEndPoint> savedContacts,
    IRandomSource random,
    Action onJoined,
    ILogger logger)
{
    private readonly List<NodeInfo> _closest = [];
    private Task? _rejoin;

    /// <summary>True when there is anyone to join through.</summary>
    public bool CanJoin => bootstrapNodes.Count + savedContacts.Count > 0;

    /// <summary>Joins (or rejoins) the network. Call on the loop.</summary>
    public async Task<BootstrapResult> JoinAsync(CancellationToken cancellationToken)
    {
        var pings = bootstrapNodes.Concat(savedContacts).Distinct().Select(ep => bep5.PingAsync(ep, cancellationToken)).ToArray();
        var answers = await Task.WhenAll(pings).ConfigureAwait(true);
        int reached = answers.Count(a => a.Answered);
        if (reached == 0 && family.Routing.Count == 0)
        {
            return new BootstrapResult(bootstrapNodes.Count, 0, 0);
        }

        var id = family.LocalId;
        await bep5.FindNodeAsync(id, cancellationToken).ConfigureAwait(true);
        family.FindClosest(id, 1, _closest);
        int depth = _closest.Count == 0 ? 0 : id.CommonPrefixLength(_closest[0].Id);
        List<Task<LookupResult>> refreshes = [];
        for (int i = 0; i < depth && i < NodeId.Bits; i++)
        {
            refreshes.Add(bep5.FindNodeAsync(id.RandomWithPrefix(i, random.AsRandom), cancellationToken));
        }

        await Task.WhenAll(refreshes).ConfigureAwait(true);
        int contacts = family.Routing.Count;
        onJoined();
        LogBootstrapped(reached, contacts);
        return new BootstrapResult(bootstrapNodes.Count, reached, contacts);
    }

    /// <summary>Starts joining again unless a rejoin is already running; its task is returned for the caller to observe.</summary>
    public Task? RejoinIfIdle()
    {
        if (!CanJoin || _rejoin is { IsCompleted: false })
        {
            return null;
        }

        LogRebootstrap();
        return _rejoin = JoinAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routing table empty: bootstrapping again")]
    private partial void LogRebootstrap();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrapped: {Reached} bootstrap node(s) answered, {Contacts} contacts")]
    private partial void LogBootstrapped(int reached, int contacts);
}
