using System.Buffers;
using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Rpc;
using Dht.Simulation;

namespace Dht.Tests.Engine;

/// <summary>
/// An <see cref="IQueryNetwork"/> of scripted remote nodes on a simulation clock: every query is recorded
/// (decoded from its bytes, as a remote would see it) and answered by its remote after a latency, with the
/// closest remotes as "nodes", a write token, and whatever the remote's script adds; silent remotes time out.
/// Answers arrive as events of the clock, on the loop, never inside the send.
/// </summary>
internal sealed class ScriptedNetwork : IQueryNetwork
{
    private readonly SimulationClock _clock;
    private readonly NodeLoop _loop;
    private readonly KrpcMessage _outgoing = new();
    private readonly Dictionary<NetEndPoint, Remote> _remotes = [];
    private uint _transaction;

    public ScriptedNetwork(NodeId localId, SimulationClock clock, NodeLoop loop)
    {
        LocalId = localId;
        _clock = clock;
        _loop = loop;
    }

    public NodeId LocalId { get; }

    public NetEndPoint LocalEndPoint { get; } = NetEndPoint.FromIPv4(0x0A000001, 6881);

    /// <summary>The contacts FindClosest picks from (the routing table).</summary>
    public List<NodeInfo> Table { get; } = [];

    /// <summary>Every query sent, decoded, with its destination.</summary>
    public List<(NodeInfo To, KrpcMessage Query)> Sent { get; } = [];

    /// <summary>Targets of finished lookups.</summary>
    public List<NodeId> Finished { get; } = [];

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether a query nobody answers is told of its soft timeout (a quarter of <see cref="Timeout"/>) before it fails.</summary>
    public bool SignalsSoftTimeouts { get; set; }

    /// <summary>How many of the closest remotes each answer lists (every remote knows all the others).</summary>
    public int NodesPerAnswer { get; set; } = 8;

    public IEnumerable<Remote> Remotes => _remotes.Values;

    /// <summary>Adds a remote node (and, when <paramref name="inTable"/>, a contact for it).</summary>
    public Remote Add(NodeId id, bool inTable = true)
    {
        var remote = new Remote(new NodeInfo(id, NetEndPoint.FromIPv4(0x0A000000 + (uint)_remotes.Count + 2, 6881)));
        _remotes.Add(remote.Node.EndPoint, remote);
        if (inTable)
        {
            Table.Add(remote.Node);
        }

        return remote;
    }

    public KrpcMessage PrepareQuery(KrpcMethod method)
    {
        _outgoing.Reset();
        _outgoing.Kind = KrpcMessageKind.Query;
        _outgoing.Method = method;
        _outgoing.Id = LocalId;
        _outgoing.Fields = KrpcFields.Id;
        return _outgoing;
    }

    public void Send(KrpcMessage query, NodeInfo node, IQueryObserver observer, DateTimeOffset now)
    {
        var copy = Decode(query);
        Sent.Add((node, copy));
        var pending = new PendingQuery
        {
            TransactionId = ++_transaction,
            Method = query.Method,
            Destination = node.EndPoint,
            ExpectedId = node.Id == default ? null : node.Id,
            SentAt = now,
            SoftDeadline = now + (Timeout / 4),
            HardDeadline = now + Timeout,
            Observer = observer,
        };
        bool unknown = _remotes.TryGetValue(node.EndPoint, out var remote)
            && remote.UnknownMethods is not null && Dht.Engine.Network.ExtensionReach.IsExtensionMethod(query.Method);
        if (unknown)
        {
            UnknownMethodQueries++;
        }

        if (remote is null || remote.Silent || (remote.SilentToWrites && query.Has(KrpcFields.Token))
            || (unknown && remote.UnknownMethods == UnknownMethodAnswer.Silence))
        {
            if (SignalsSoftTimeouts)
            {
                Later(Timeout / 4, () => observer.OnSoftTimeout(pending, _clock.GetUtcNow()));
            }

            Later(Timeout, () => observer.OnFailure(pending, QueryFailure.Timeout, _clock.GetUtcNow()));
            return;
        }

        if ((remote.ErrorCode is { } code && query.Has(KrpcFields.Token)) || (unknown && remote.UnknownMethods == UnknownMethodAnswer.Error204))
        {
            pending.ErrorCode = unknown ? KrpcErrorCode.MethodUnknown : remote.ErrorCode!.Value;
            Later(Latency, () => observer.OnFailure(pending, QueryFailure.ErrorReply, _clock.GetUtcNow()));
            return;
        }

        var reply = new KrpcMessage
        {
            Kind = KrpcMessageKind.Response,
            Id = remote.Node.Id,
            ClientVersion = remote.ClientVersion,
            Fields = KrpcFields.Id | KrpcFields.ClientVersion,
        };
        var target = copy.Has(KrpcFields.InfoHash) ? copy.InfoHash : copy.Target;
        if (copy.Method != KrpcMethod.Ping && (unknown || !copy.Has(KrpcFields.Token)))
        {
            // A node of ours lists only nodes that serve the extension in a find_value answer, as Dispatch/QueryContext.
            bool servingOnly = copy.Method == NamedValueMethods.FindValue && !unknown;
            var closest = _remotes.Values.Where(r => r != remote && (!servingOnly || Dht.Engine.NodeIdentity.IsOurs(r.ClientVersion))).Select(r => r.Node)
                .OrderBy(n => n.Id ^ target).Take(NodesPerAnswer).ToList();
            var nodes = new byte[closest.Count * CompactEncoding.NodeV4Size];
            int length = 0;
            foreach (var n in closest)
            {
                length += CompactEncoding.WriteNode(n, nodes.AsSpan(length));
            }

            reply.Nodes = nodes;
            reply.Fields |= KrpcFields.Nodes;
            if (unknown)
            {
                // Taken for find_node: nodes, nothing else.
                Later(Latency, () => observer.OnResponse(pending, reply, _clock.GetUtcNow()));
                return;
            }

            reply.Token = remote.Token;
            reply.Fields |= KrpcFields.Token;
        }

        remote.Script?.Invoke(copy, reply);
        Later(remote.Latency ?? Latency, () => observer.OnResponse(pending, reply, _clock.GetUtcNow()));
    }

    public void FindClosest(NodeId target, int count, List<NodeInfo> into, NodeId? excluded = null)
    {
        into.Clear();
        into.AddRange(Table.Where(n => n.Id != excluded).OrderBy(n => n.Id ^ target).Take(count));
    }

    public void LookupFinished(NodeId target, DateTimeOffset now) => Finished.Add(target);

    /// <summary>Our extension's queries that reached remotes of another implementation.</summary>
    public int UnknownMethodQueries { get; private set; }

    /// <summary>
    /// As the routing table knows it: a contact of the table with our client version speaks the extension (it has
    /// sent us messages), any other node is unknown.
    /// </summary>
    public Dht.Routing.ExtensionSupport ExtensionOf(NodeInfo node) =>
        Table.Contains(node) && _remotes.TryGetValue(node.EndPoint, out var remote) && Dht.Engine.NodeIdentity.IsOurs(remote.ClientVersion)
            ? Dht.Routing.ExtensionSupport.Speaks
            : Dht.Routing.ExtensionSupport.Unknown;

    /// <summary>Timeouts and nodes to avoid for the lookups; none by default.</summary>
    public Dht.Lookups.ILookupAdvisor? LookupAdvisor { get; set; }

    private void Later(TimeSpan delay, Action action) => _clock.Schedule(delay, () => _loop.Post(_ => action(), null));

    private static KrpcMessage Decode(KrpcMessage query)
    {
        query.TransactionId = "tt"u8.ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(query, buffer);
        var copy = new KrpcMessage();
        var parsed = KrpcParser.Parse(buffer.WrittenSpan.ToArray(), copy);
        Assert.True(parsed.IsOk, parsed.Reason);
        return copy;
    }

    /// <summary>A scripted remote node.</summary>
    internal sealed class Remote(NodeInfo node)
    {
        public NodeInfo Node { get; } = node;

        /// <summary>The write token it hands out.</summary>
        public byte[] Token { get; } = node.Id.ToArray()[..4];

        /// <summary>Never answers.</summary>
        public bool Silent { get; set; }

        /// <summary>How long its answers take, when not the network's <see cref="ScriptedNetwork.Latency"/>.</summary>
        public TimeSpan? Latency { get; set; }

        /// <summary>Answers everything but writes (queries carrying a token).</summary>
        public bool SilentToWrites { get; set; }

        /// <summary>Its client version (ours by default).</summary>
        public byte[] ClientVersion { get; set; } = Dht.Engine.NodeIdentity.ClientVersion.ToArray();

        /// <summary>
        /// Set for a node of another implementation: how it answers our extension's queries (otherwise it serves them).
        /// Give it a client version that is not ours too.
        /// </summary>
        public UnknownMethodAnswer? UnknownMethods { get; set; }

        /// <summary>Answers writes (queries carrying a token) with this KRPC error.</summary>
        public int? ErrorCode { get; set; }

        /// <summary>Adds to each answer (the query as decoded, the response being built).</summary>
        public Action<KrpcMessage, KrpcMessage>? Script { get; set; }
    }
}
