using System.Net;
using System.Text;
using Dht.Protocol;

namespace Dht.Tests.Interop;

/// <summary>
/// A small DHT on 127.0.0.1 mixing webtorrent's bittorrent-dht peers and our <see cref="DhtNode"/>s, started as a
/// chain that alternates implementations (each new node bootstraps from the one before), then refreshed until every
/// node knows every other, so a put reaches both implementations and a get may be answered by either.
/// Every node is stopped by <see cref="DisposeAsync"/>; <see cref="Diagnostics"/> gathers what a failure message needs.
/// </summary>
internal sealed class MixedLoopbackNetwork : IAsyncDisposable
{
    /// <summary>Self-lookup rounds before giving up on a complete mesh (on loopback the first round usually completes it).</summary>
    private const int MaxRefreshRounds = 4;

    private static readonly TimeSpan DiagnosticsTimeout = TimeSpan.FromSeconds(5);

    private readonly List<WebTorrentPeer> _theirs = [];
    private readonly List<DhtNode> _ours = [];
    private readonly List<string> _notes = [];

    private MixedLoopbackNetwork()
    {
    }

    public IReadOnlyList<WebTorrentPeer> Theirs => _theirs;

    public IReadOnlyList<DhtNode> Ours => _ours;

    /// <summary>Every node's id, lower-case hex.</summary>
    public IEnumerable<string> NodeIds => _theirs.Select(t => t.Id).Concat(_ours.Select(o => o.Id.ToString()));

    private int Size => _theirs.Count + _ours.Count;

    /// <summary>Starts <paramref name="theirCount"/> bittorrent-dht peers and <paramref name="ourCount"/> of our nodes,
    /// alternating and starting with theirs, and returns once every routing table holds every other node.</summary>
    public static async Task<MixedLoopbackNetwork> StartAsync(int theirCount, int ourCount, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(theirCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ourCount, 1);
        var network = new MixedLoopbackNetwork();
        try
        {
            IPEndPoint? previous = null;
            for (int i = 0; i < Math.Max(theirCount, ourCount); i++)
            {
                if (i < theirCount)
                {
                    var peer = await network.StartTheirsAsync(previous is null ? [] : [previous], ct);
                    previous = peer.EndPoint;
                }

                if (i < ourCount)
                {
                    var node = await network.StartOursAsync(previous!, ct);
                    previous = node.LocalEndPoint.ToIPEndPoint();
                }
            }

            await network.RefreshUntilMeshedAsync(ct);
            return network;
        }
        catch (Exception ex)
        {
            var diagnostics = network.Diagnostics();
            await network.DisposeAsync();
            throw new InvalidOperationException($"the mixed loopback network did not form: {ex.Message}\n{diagnostics}", ex);
        }
    }

    /// <summary>Starts one more bittorrent-dht peer that bootstraps from every node now in the network. It has
    /// received none of the puts made before it joined, so whatever its gets find came over the network.</summary>
    public async Task<WebTorrentPeer> JoinWebTorrentPeerAsync(CancellationToken ct)
    {
        var bootstrap = _theirs.Select(t => t.EndPoint).Concat(_ours.Select(o => o.LocalEndPoint.ToIPEndPoint())).ToList();
        var peer = await StartTheirsAsync(bootstrap, ct);
        var known = await peer.BootstrapAsync(ct);
        if (known < Size - 1)
        {
            throw new InvalidOperationException($"the late bittorrent-dht peer knows {known} of the {Size - 1} other nodes");
        }

        return peer;
    }

    /// <summary>Adds a line (a random seed, a key) to <see cref="Diagnostics"/>.</summary>
    public void Note(string line) => _notes.Add(line);

    /// <summary>Runs <paramref name="body"/>; any failure is rethrown with the drivers' counters and
    /// <see cref="Diagnostics"/> attached.</summary>
    public async Task RunAsync(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await body();
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex}\n{await DriverStatsAsync()}{Diagnostics()}");
        }
    }

    /// <summary>The notes, every node's id, endpoint and counters, and each bittorrent-dht driver's stderr.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var note in _notes)
        {
            text.Append("note: ").Append(note).Append('\n');
        }

        foreach (var node in _ours)
        {
            var status = node.GetStatus();
            text.Append($"ours {status.Id} at {status.EndPoint}: {status.Contacts} contacts, {status.StoredItems} items, "
                + $"{status.QueriesReceived} queries received, {status.Timeouts} timeouts, {status.InvalidMessages} invalid\n");
        }

        for (int i = 0; i < _theirs.Count; i++)
        {
            var peer = _theirs[i];
            var stderr = peer.StandardError;
            text.Append($"--- bittorrent-dht #{i} {peer.Id} at {peer.EndPoint}: stderr ---\n")
                .Append(stderr.Length == 0 ? "(empty)\n" : stderr);
        }

        return text.ToString();
    }

    /// <summary>Each driver's counters (table size, queries received by type, exceptions), asked with a short bound
    /// so that a stuck driver cannot hold up the failure report.</summary>
    private async Task<string> DriverStatsAsync()
    {
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(DiagnosticsTimeout);
        foreach (var peer in _theirs)
        {
            try
            {
                var stats = await peer.StatsAsync(timeout.Token);
                var queries = string.Join(", ", stats.Queries.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key} {q.Value}"));
                text.Append($"theirs {peer.Id}: {stats.Nodes} nodes, {stats.Uncaught} uncaught, {stats.Dropped} dropped, queries: {queries}\n");
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or ObjectDisposedException)
            {
                text.Append($"theirs {peer.Id}: no stats ({ex.Message})\n");
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        var stops = _ours.Select(o => o.DisposeAsync().AsTask()).Concat(_theirs.Select(t => t.DisposeAsync().AsTask())).ToArray();
        _ours.Clear();
        _theirs.Clear();
        await Task.WhenAll(stops);
    }

    private async Task<WebTorrentPeer> StartTheirsAsync(IReadOnlyList<IPEndPoint> bootstrap, CancellationToken ct)
    {
        // Port 0: the driver binds a free port itself and reports it, so no other process can take it in between.
        var peer = await WebTorrentPeer.StartAsync(0, bootstrap, ct);
        _theirs.Add(peer);
        return peer;
    }

    private async Task<DhtNode> StartOursAsync(IPEndPoint bootstrap, CancellationToken ct)
    {
        var options = new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback };
        options.BootstrapNodes.Add(NetEndPoint.FromIPEndPoint(bootstrap));
        var node = new DhtNode(options);
        _ours.Add(node);
        await node.StartAsync(ct);
        var joined = await node.BootstrapAsync(ct);
        if (joined.BootstrapNodesReached != 1)
        {
            throw new InvalidOperationException($"our node {node.Id} could not reach its bootstrap node {bootstrap}");
        }

        return node;
    }

    private async Task RefreshUntilMeshedAsync(CancellationToken ct)
    {
        for (int round = 1; ; round++)
        {
            await Task.WhenAll(
                _theirs.Select(t => (Task)t.BootstrapAsync(ct)).Concat(_ours.Select(o => (Task)o.BootstrapAsync(ct))));
            var missing = await MissingContactsAsync(ct);
            if (missing.Count == 0)
            {
                return;
            }

            if (round == MaxRefreshRounds)
            {
                throw new InvalidOperationException(
                    $"after {round} refresh rounds some routing tables are incomplete: {string.Join("; ", missing)}");
            }
        }
    }

    /// <summary>One line per node whose routing table lacks some other node of the network.</summary>
    private async Task<List<string>> MissingContactsAsync(CancellationToken ct)
    {
        var all = NodeIds.ToHashSet(StringComparer.Ordinal);
        List<string> missing = [];
        foreach (var peer in _theirs)
        {
            var known = (await peer.NodesAsync(ct)).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            var lacking = all.Where(id => id != peer.Id && !known.Contains(id)).ToList();
            if (lacking.Count > 0)
            {
                missing.Add($"bittorrent-dht {peer.Id} lacks {string.Join(",", lacking)}");
            }
        }

        foreach (var node in _ours)
        {
            // A full bucket keeps the rest as replacements (k = 8): in a network of more than 9 nodes one of our
            // buckets may hold fewer than all the nodes it covers, yet the node knows them all.
            var buckets = node.GetStatus().Buckets;
            int known = buckets.Sum(b => b.Count + b.Replacements);
            if (known < Size - 1)
            {
                missing.Add($"ours {node.Id} knows {known} of {Size - 1} nodes ({buckets.Sum(b => b.Count)} contacts)");
            }
        }

        return missing;
    }
}
