// Runs a node for the `node` command: start, join, shell (or wait for a signal), shut down cleanly.
using System.Net.Sockets;
using Dht.Crypto;
using Microsoft.Extensions.Logging;

namespace Dht.Cli;

/// <summary>A node with its shell, as the <c>dht node</c> command runs it.</summary>
internal sealed class NodeRunner(DhtOptions options, string dataDirectory, LogLevel logLevel, TextReader input, TextWriter output, TextWriter error)
{
    /// <summary>The node's ed25519 key pair for signed values: made once, then read from the data directory.</summary>
    internal static Ed25519KeyPair LoadOrCreateKey(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        string path = Path.Combine(dataDirectory, "node.key");
        if (File.Exists(path))
        {
            return Ed25519KeyPair.Load(path);
        }

        var key = Ed25519KeyPair.Generate();
        try
        {
            key.Save(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another node sharing this folder wrote its key first: use that one.
            return Ed25519KeyPair.Load(path);
        }

        return key;
    }

    public async Task<int> RunAsync(bool shell, CancellationToken cancellationToken)
    {
        Ed25519KeyPair signingKey;
        try
        {
            signingKey = LoadOrCreateKey(dataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            await error.WriteLineAsync($"Error: --data-dir {dataDirectory}: {ex.Message}");
            return 1;
        }

        using var loggerFactory = LoggerFactory.Create(b => b
            .SetMinimumLevel(logLevel)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        DhtNode node;
        try
        {
            node = new DhtNode(options, loggerFactory);
        }
        catch (SocketException ex)
        {
            await error.WriteLineAsync($"Error: cannot listen on {options.ListenAddress}:{options.Port}: {ex.Message}");
            return 1;
        }

        await using (node)
        {
            await node.StartAsync(cancellationToken);
            await output.WriteLineAsync($"DHT node started on {node.LocalEndPoint}");
            if (options.BootstrapNodes.Count == 0)
            {
                await output.WriteLineAsync("Starting as bootstrap node");
            }
            else
            {
                await output.WriteLineAsync($"Joining via {string.Join(", ", options.BootstrapNodes)}");
                try
                {
                    var joined = await node.BootstrapAsync(cancellationToken);
                    await output.WriteLineAsync(joined.BootstrapNodesReached > 0
                        ? $"Joined: {joined.Contacts} contact(s)"
                        : "Warning: no bootstrap node answered; running alone and retrying in the background");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Stopped while joining: shut down cleanly.
                    await output.WriteLineAsync("Shutting down");
                    return 0;
                }
            }

            await output.WriteLineAsync($"Node ID: {node.Id}");
            if (shell)
            {
                var sh = new Shell(node, input, output, interactive: !Console.IsInputRedirected && ReferenceEquals(input, Console.In), signingKey);
                await sh.RunAsync(cancellationToken);
            }
            else
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: fall through to a clean shutdown.
                }
            }

            await output.WriteLineAsync("Shutting down");
        }

        return 0;
    }
}
