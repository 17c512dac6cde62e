// Runs the host's node: starts it with the host, joins the network in the background, stops it with the host.
//
// Joining never holds up the host's start: the node answers queries as soon as it is started, and the join (DNS
// look-ups included) runs behind it. Until a bootstrap node answers, the join is retried with a doubling wait
// (1 s up to DhtOptions.MaintenanceInterval). Once joined, the routing table is checked every maintenance
// interval and the node joins again when it is empty. The engine does the same for DhtOptions.BootstrapNodes
// and saved contacts; this service adds DhtOptions.Bootstrap, whose names it resolves at every join, so a
// bootstrap host that moves is followed.
using System.Net.Sockets;
using Dht.Net;
using Dht.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dht.Hosting;

/// <summary>The hosted service that runs the registered <see cref="DhtNode"/>.</summary>
public sealed partial class DhtNodeService : IHostedService, IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly Func<DhtNode> _createNode;
    private readonly DhtOptions _options;
    private readonly EndPointResolver _resolver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _joining = Task.CompletedTask;
    private DhtNode? _started;

    /// <param name="node">Gives the node when the host starts: not before, so that the options are validated
    /// (ValidateOnStart) before a socket is bound, and a bad setting is reported as such.</param>
    /// <param name="options">The node's options.</param>
    /// <param name="resolver">Resolves the bootstrap names at each join.</param>
    /// <param name="time">The clock of the retry delays.</param>
    /// <param name="logger">Logs start, joins and failures.</param>
    internal DhtNodeService(Func<DhtNode> node, IOptions<DhtOptions> options, EndPointResolver resolver, TimeProvider time, ILogger<DhtNodeService> logger)
    {
        _createNode = node;
        _options = options.Value;
        _resolver = resolver;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Completes when the node has first joined the network (a bootstrap node answered), at once for a node that
    /// starts a new network; cancelled if the host stops first. The node works before that, but its own puts and
    /// gets reach only the nodes it knows.
    /// </summary>
    public Task WhenJoinedAsync(CancellationToken cancellationToken = default) => _joined.Task.WaitAsync(cancellationToken);

    /// <summary>Starts the node and returns; the join goes on in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = _createNode();
        await Node.StartAsync(cancellationToken);
        LogStarted(Node.Id, Node.LocalEndPoint);
        if (_options.Bootstrap.Count + _options.BootstrapNodes.Count + Node.SavedContacts == 0)
        {
            LogNewNetwork();
            _joined.TrySetResult();
            return;
        }

        _joining = Task.Run(() => KeepJoinedAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Stops the join and the node (pending operations are cancelled, the socket closed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _joined.TrySetCanceled(_stopping.Token);
        try
        {
            await _joining.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The join ends by cancellation.
        }

        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }

    /// <summary>Releases the service's cancellation source; the node itself is stopped by <see cref="StopAsync"/>.</summary>
    public void Dispose() => _stopping.Dispose();

    private DhtNode Node => _started ?? throw new InvalidOperationException("The node has not been started.");

    private async Task KeepJoinedAsync(CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        bool joined = false;
        while (true)
        {
            if (!joined || Node.GetStatus().Contacts == 0)
            {
                try
                {
                    joined = await JoinAsync(cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    LogJoinFailed(ex);
                    joined = false;
                }

                if (joined)
                {
                    _joined.TrySetResult();
                    retry = FirstRetry;
                }
                else
                {
                    LogRetrying(retry);
                }
            }

            var wait = joined ? _options.MaintenanceInterval : retry;
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaintenanceInterval.Ticks));
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    /// <summary>One join: resolve <see cref="DhtOptions.Bootstrap"/>, ping what it names, then the node's own join.</summary>
    private async Task<bool> JoinAsync(CancellationToken cancellationToken)
    {
        var family = Node.LocalEndPoint.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var resolved = await _resolver.ResolveAllAsync(_options.Bootstrap, family, cancellationToken);
        foreach (var failed in resolved.Where(r => !r.Resolved))
        {
            LogUnresolved(failed.Text, failed.Problem!);
        }

        NetEndPoint[] named = [.. resolved.Where(r => r.Resolved).Select(r => r.EndPoint!.Value).Except(_options.BootstrapNodes).Distinct()];
        var pings = await Task.WhenAll(named.Select(ep => Node.PingAsync(ep, cancellationToken)));
        var result = await Node.BootstrapAsync(cancellationToken);
        int asked = named.Length + result.BootstrapNodes + Node.SavedContacts;
        int answered = pings.Count(p => p.Answered) + result.BootstrapNodesReached;
        if (answered == 0 && result.Contacts == 0)
        {
            LogNoAnswer(asked);
            return false;
        }

        LogJoined(answered, result.Contacts);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DHT node {Id} started on {EndPoint}")]
    private partial void LogStarted(NodeId id, NetEndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "No bootstrap node configured: starting a new network")]
    private partial void LogNewNetwork();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap node {Text}: {Problem}")]
    private partial void LogUnresolved(string text, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No bootstrap node answered ({Asked} asked)")]
    private partial void LogNoAnswer(int asked);

    [LoggerMessage(Level = LogLevel.Error, Message = "Joining the network failed")]
    private partial void LogJoinFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joining again in {Delay}")]
    private partial void LogRetrying(TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the network: {Answered} bootstrap node(s) answered, {Contacts} contact(s)")]
    private partial void LogJoined(int answered, int contacts);
}
