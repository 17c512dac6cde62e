// Drives one ClosestNodesLookup over the network: sends what the state machine asks for, feeds back answers,
// failures and soft timeouts, and collects what the responses carry (write tokens, peers, values) through a
// per-lookup callback. All calls happen on the node's loop; the completion is set after the callback that
// finishes the lookup, so the awaiting code never runs inside an RPC callback.
//
// A lookup with our extension's method (find_value) seeks the k closest nodes that serve the extension. Nodes
// not known to serve it, to us or to the node whose find_value answer listed them, are sent find_node
// (LookupRunner). One that answers with our client version is sent find_value too (a follow-up) and stays
// pending in the lookup until that answer (value, write token, nodes that serve the extension) or its
// failure: it counts among the k closest only with a write token. The others only pass on their nodes and
// never count. A node that refuses find_value with 204 (one of ours with named values off) is asked find_node
// instead. No node is asked more than twice. Only answers to the lookup's own method reach the callback and
// hand out write tokens.
//
// A write lookup that ended without its laggards (ClosestNodesLookup.Laggards) keeps their places
// (LaggardPlaces): what those nodes do after the end, an answer, a soft timeout or a failure, settles them.
using System.Runtime.InteropServices;
using Dht.Engine.Network;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;
using Dht.Rpc;

namespace Dht.Engine.Operations;

/// <summary>One running iterative lookup.</summary>
internal sealed class LookupRun : IQueryObserver
{
    private readonly LookupRunner _runner;
    private readonly ClosestNodesLookup _lookup;
    private readonly Action<NodeInfo, KrpcMessage>? _onResponse;
    private readonly TaskCompletionSource<LookupRun> _completion = new();
    private readonly List<NodeInfo> _closer = [];
    private readonly List<LookupStepRecord> _path = [];
    private HashSet<NodeId>? _askedTwice;
    private HashSet<NodeId>? _namedByServers; // listed in an answer to our extension's method: they serve it
    private LaggardPlaces? _places;
    private bool _done;

    public LookupRun(
        LookupRunner runner,
        KrpcMethod method,
        ClosestNodesLookup lookup,
        Action<NodeInfo, KrpcMessage>? onResponse,
        DateTimeOffset started)
    {
        _runner = runner;
        Method = method;
        _lookup = lookup;
        _onResponse = onResponse;
        Started = started;
    }

    public KrpcMethod Method { get; }

    public NodeId Target => _lookup.Target;

    public DateTimeOffset Started { get; }

    public DateTimeOffset Finished { get; private set; }

    /// <summary>Write tokens handed out by responders, for a following announce, put or store.</summary>
    public Dictionary<NodeId, byte[]> Tokens { get; } = [];

    public Task<LookupRun> Completion => _completion.Task;

    /// <summary>
    /// The places a write lookup kept for its laggards when it ended without them (ClosestNodesLookup.Laggards), or
    /// null: the answers, silences and failures of those nodes that come after the end settle them.
    /// </summary>
    public LaggardPlaces? LaggardPlaces => _places;

    public ClosestNodesLookup Lookup => _lookup;

    public bool IsDone => _done;

    /// <summary>Nodes queried so far.</summary>
    public int Asked { get; private set; }

    /// <summary>Nodes that answered while the lookup ran (the answer that ended it early included).</summary>
    public int Answered { get; private set; }

    public LookupResult ToResult() => new(
        Target,
        _lookup.Results.ToArray(),
        _lookup.Rounds,
        _lookup.QueriesSent,
        _lookup.Responses,
        Finished - Started,
        _path.ToArray());

    private void Record(NodeInfo node, bool answered, DateTimeOffset now) =>
        _path.Add(new LookupStepRecord(node, _lookup.DepthOf(node.Id) ?? 0, node.Id.CommonPrefixLength(Target), answered, now - Started));

    /// <summary>Sends as many queries as the state machine allows, or completes.</summary>
    public void Pump(DateTimeOffset now)
    {
        while (!_done)
        {
            var step = _lookup.Next(now);
            switch (step.Kind)
            {
                case LookupStepKind.Query:
                    Asked++;
                    _runner.Send(this, step.Node, now);
                    break;
                case LookupStepKind.Waiting:
                    return;
                default:
                    Complete(now);
                    return;
            }
        }
    }

    /// <summary>
    /// When a silent node stops holding the lookup at the end of a small network's grace (no query times out
    /// then, so the node's timer pumps the lookup: LookupRunner.Tick), or <see cref="DateTimeOffset.MaxValue"/>.
    /// </summary>
    public DateTimeOffset WakeDeadline => _done ? DateTimeOffset.MaxValue : _lookup.WakeDeadline;

    /// <summary>Stops the lookup now (a value was found, or the caller gave up).</summary>
    public void Complete(DateTimeOffset now)
    {
        if (_done)
        {
            return;
        }

        _done = true;
        Finished = now;
        var laggards = _lookup.Laggards;
        if (laggards.Count > 0)
        {
            _places = new LaggardPlaces(laggards, _lookup.Results.Skip(_lookup.AnsweredPlaces).ToArray());
        }

        _runner.Finished(this, now);
        _runner.Loop.CompleteLater(_completion, this);
    }

    public void Cancel(CancellationToken token)
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _runner.Finished(this, null);
        _runner.Loop.CancelLater(_completion, token);
    }

    /// <summary>The caller's token was cancelled, on whatever thread: the lookup is cancelled on the loop.</summary>
    public void CancelFromAnyThread(CancellationToken token) =>
        _runner.Loop.Post(static s =>
        {
            var (run, t) = ((LookupRun, CancellationToken))s!;
            run.Cancel(t);
        }, (this, token));

    public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
    {
        if (_done)
        {
            OnLateResponse(query, response);
            return;
        }

        var from = new NodeInfo(response.Id, query.Destination);
        if (query.Method != Method && Serves(from, response) && FollowUp(from, now))
        {
            return; // it stays pending in the lookup until it answers the lookup's own method
        }

        Answered++;
        _closer.Clear();
        if (response.Has(KrpcFields.Nodes))
        {
            CompactEncoding.TryReadNodes(response.Nodes.Span, ipv6: false, _closer);
        }

        bool counts = query.Method == Method && ExtensionReach.IsExtensionAnswer(Method, response);
        Record(from, answered: true, now);
        if (counts)
        {
            if (ExtensionReach.IsExtensionMethod(Method))
            {
                _namedByServers ??= [];
                foreach (var node in _closer)
                {
                    _namedByServers.Add(node.Id);
                }
            }

            Collect(from, response);
            if (_done)
            {
                return;
            }
        }

        _lookup.OnResponse(from, CollectionsMarshal.AsSpan(_closer), now, counts);
        Pump(now);
    }

    // A laggard the write lookup ended without has answered: with the lookup's method and a write token, it is
    // written to; otherwise a stand-in takes its place. The nodes it lists are not followed: the lookup has ended.
    private void OnLateResponse(PendingQuery query, KrpcMessage response)
    {
        if (_places is null)
        {
            return;
        }

        bool writable = query.Method == Method && query.ExpectedId == response.Id && response.Has(KrpcFields.Token)
            && ExtensionReach.IsExtensionAnswer(Method, response);
        if (writable)
        {
            Tokens[response.Id] = response.Token.ToArray();
        }

        _places.Settle(query.Node, writable);
    }

    public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now)
    {
        if (_done)
        {
            _places?.Settle(query.Node, writable: false);
            return;
        }

        var node = query.Node;
        if (query.Method == Method && ExtensionReach.IsExtensionMethod(Method) && failure == QueryFailure.ErrorReply
            && query.ErrorCode == KrpcErrorCode.MethodUnknown && (_askedTwice ??= []).Add(node.Id) && _lookup.Requery(node, now))
        {
            _runner.Send(this, node, ExtensionReach.Traversal(Method), now);
            return;
        }

        Record(node, answered: false, now);
        _lookup.OnFailure(node, now);
        Pump(now);
    }

    /// <summary>
    /// True when <paramref name="node"/> was listed in an answer to our extension's method: a node that serves the
    /// extension lists only others that do (Dispatch/QueryContext), so it is asked that method at once.
    /// </summary>
    public bool NamedByServer(NodeInfo node) => _namedByServers is not null && _namedByServers.Contains(node.Id);

    /// <summary>True when a node that answered find_node serves our extension: a contact known to, or our client version in its answer.</summary>
    private bool Serves(NodeInfo node, KrpcMessage response) => _runner.ExtensionOf(node) switch
    {
        ExtensionSupport.Speaks => true,
        ExtensionSupport.Refuses => false,
        _ => ExtensionReach.Advertises(response),
    };

    /// <summary>Sends the lookup's own method to a node that answered find_node, unless it was asked twice already.</summary>
    private bool FollowUp(NodeInfo node, DateTimeOffset now)
    {
        if (!(_askedTwice ??= []).Add(node.Id) || !_lookup.Requery(node, now))
        {
            return false;
        }

        _runner.Send(this, node, Method, now);
        return true;
    }

    private void Collect(NodeInfo from, KrpcMessage response)
    {
        if (response.Has(KrpcFields.Token))
        {
            Tokens[response.Id] = response.Token.ToArray();
        }

        _onResponse?.Invoke(from, response);
    }

    public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
        if (_done)
        {
            _places?.Settle(query.Node, writable: false);
            return;
        }

        Pump(now);
    }
}
