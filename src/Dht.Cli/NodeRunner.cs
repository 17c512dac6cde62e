// Runs a node for the `node` command: start, join, shell (or wait for a signal), shut down cleanly.
using System.Net.Sockets;
using Dht.Cli.Configuration;
using Dht.Cli.Editing;
using Dht.Cli.Input;
using Dht.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Dht.Cli;

/// <summary>A node with its shell, as the <c>dht node</c> command runs it.</summary>
/// <param name="configuration">The loaded configuration.</param>
/// <param name="context">The standard streams, and whether standard input is a terminal.</param>
/// <param name="parallelism">Piped commands running at once (<see cref="ShellOptions.Parallelism"/>).</param>
internal sealed class NodeRunner(LoadedConfiguration configuration, CliContext context, int parallelism)
{
    private readonly NodeSettings settings = configuration.Settings;
    private readonly TextWriter _output = context.Output;
    private readonly TextWriter _error = context.Error;

    /// <param name="shell">Read commands (false: run until a signal).</param>
    /// <param name="cancellationToken">Ctrl+C / SIGTERM.</param>
    public async Task<int> RunAsync(bool shell, CancellationToken cancellationToken)
    {
        var options = settings.Options;
        string? dataDirectory = settings.EffectiveDataDirectory;
        if (await configuration.ResolveBootstrapAsync(cancellationToken) is { } unresolved)
        {
            await _error.WriteLineAsync($"Error: {unresolved}");
            return ExitCodes.Usage;
        }

        // The database outlives the node: declared first, disposed last (after the logging it reports to).
        using var loggerFactory = ConsoleLogging.Create(settings);
        SqliteDatabase? database = null;
        DhtStores stores = new();
        if (dataDirectory is not null)
        {
            try
            {
                database = SqliteDatabase.OpenInDirectory(dataDirectory, logger: loggerFactory.CreateLogger("Dht.Storage"));
            }
            catch (DataDirectoryInUseException)
            {
                await _error.WriteLineAsync($"Error: data directory {dataDirectory} is in use by another dht process");
                return ExitCodes.Failure;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException or InvalidOperationException)
            {
                await _error.WriteLineAsync($"Error: --data-dir {dataDirectory}: {ex.Message}");
                return ExitCodes.Failure;
            }

            stores = new DhtStores
            {
                NamedValues = new SqliteNamedValueStore(database),
                Items = new SqliteItemStore(database),
                State = new SqliteNodeState(database),
            };
        }

        using var ownedDatabase = database;
        DhtNode node;
        try
        {
            node = new DhtNode(options, stores, loggerFactory);
        }
        catch (SocketException ex)
        {
            await _error.WriteLineAsync($"Error: cannot listen on {options.ListenAddress}:{options.Port}: {ex.Message}");
            return ExitCodes.Failure;
        }

        await using (node)
        {
            // Stopped before the node (which disposes its meter), so the last export still sees its counters.
            using var metrics = settings.OtlpEndpoint is { } endpoint ? MetricsExport.Start(endpoint, settings.OtlpProtocol) : null;
            await node.StartAsync(cancellationToken);
            await _output.WriteLineAsync($"DHT node started on {node.LocalEndPoint}");
            if (settings.OtlpEndpoint is not null)
            {
                await _output.WriteLineAsync($"Exporting metrics (meter {MetricsExport.MeterName}) with OTLP to {MetricsExport.ExportUri(settings.OtlpEndpoint, settings.OtlpProtocol)}");
            }

            if (options.BootstrapNodes.Count == 0 && node.SavedContacts == 0)
            {
                await _output.WriteLineAsync("Starting as bootstrap node");
            }
            else
            {
                await _output.WriteLineAsync(options.BootstrapNodes.Count > 0
                    ? $"Joining via {string.Join(", ", options.BootstrapNodes)}"
                    : $"Rejoining via {node.SavedContacts} saved contact(s)");
                try
                {
                    var joined = await node.BootstrapAsync(cancellationToken);
                    await _output.WriteLineAsync(joined.BootstrapNodesReached > 0
                        ? $"Joined: {joined.Contacts} contact(s)"
                        : "Warning: no bootstrap node answered; running alone and retrying in the background");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Stopped while joining: shut down cleanly.
                    await _output.WriteLineAsync("Shutting down");
                    return 0;
                }
            }

            await _output.WriteLineAsync($"Node ID: {node.Id}");
            if (shell)
            {
                await RunShellAsync(node, cancellationToken);
            }
            else
            {
                try
                {
                    await LogStatusAsync(node, loggerFactory.CreateLogger(ConsoleLogging.StatusCategory), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: fall through to a clean shutdown.
                }
            }

            await _output.WriteLineAsync("Shutting down");
        }

        return 0;
    }

    /// <summary>Logs the status line every <see cref="NodeSettings.StatusInterval"/> until cancelled (none at zero).</summary>
    private async Task LogStatusAsync(DhtNode node, ILogger logger, CancellationToken cancellationToken)
    {
        if (settings.StatusInterval <= TimeSpan.Zero)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return;
        }

        using var timer = new PeriodicTimer(settings.StatusInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            StatusLine.Log(logger, node.GetStatus());
        }
    }

    /// <summary>
    /// A terminal gets the line editor and one command at a time; anything else (a pipe, a file) runs its
    /// commands concurrently. Either way the node is the same full node: only how commands are read differs.
    /// </summary>
    private async Task RunShellAsync(DhtNode node, CancellationToken cancellationToken)
    {
        var options = new ShellOptions
        {
            Parallelism = parallelism,
            MaxValueSize = settings.Options.StorageLimits.MaxValueSize,
            NamedValues = settings.Options.EnableNamedValues,
        };
        var shell = new Shell(node, _output, _error, options, node.SigningKey);
        if (context.Terminal is { } terminal)
        {
            await shell.RunSequentialAsync(new LineEditor(terminal, _output, new LineBuffer(options.MaxLineLength, options.HistorySize)), cancellationToken);
        }
        else if (context.InputIsTerminal)
        {
            await shell.RunSequentialAsync(new LineReader(context.Input, options.MaxLineLength), cancellationToken);
        }
        else
        {
            await shell.RunConcurrentAsync(new LineReader(context.Input, options.MaxLineLength), cancellationToken);
        }
    }
}
