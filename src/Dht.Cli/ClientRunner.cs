// The one-shot commands (get, put, delete, ping, lookup): join as a BEP 43 read-only client on an ephemeral port
// with nothing on disk, answer, and exit with a status a script can test.
using System.Net.Sockets;
using Dht.Cli.Configuration;

namespace Dht.Cli;

/// <summary>Runs one operation on a throwaway read-only node.</summary>
internal static class ClientRunner
{
    /// <param name="settings">The loaded configuration; the port, storage and read-only settings are overridden.</param>
    /// <param name="join">Join through the bootstrap nodes first (everything but ping).</param>
    /// <param name="operation">The operation; returns the exit code.</param>
    /// <param name="context">Where answers and errors go.</param>
    /// <param name="cancellationToken">Ctrl+C / SIGTERM.</param>
    public static async Task<int> RunAsync(
        NodeSettings settings, bool join, Func<DhtNode, CancellationToken, Task<int>> operation, CliContext context, CancellationToken cancellationToken)
    {
        var options = settings.Options;
        if (join && options.BootstrapNodes.Count == 0)
        {
            await context.Error.WriteLineAsync("Error: no bootstrap node: give --bootstrap HOST:PORT (or the setting Bootstrap)");
            return ExitCodes.Usage;
        }

        // A client: answers nothing, is kept in no one's routing table (BEP 43), holds nothing after it exits.
        options.Port = 0;
        options.ReadOnly = true;
        settings.InMemory = true;
        using var loggerFactory = ConsoleLogging.Create(settings.LogLevel);
        DhtNode node;
        try
        {
            node = new DhtNode(options, loggerFactory);
        }
        catch (SocketException ex)
        {
            await context.Error.WriteLineAsync($"Error: cannot open a UDP socket on {options.ListenAddress}: {ex.Message}");
            return ExitCodes.Network;
        }

        await using (node)
        {
            try
            {
                await node.StartAsync(cancellationToken);
                if (join)
                {
                    // Pinging the bootstrap nodes puts them in the routing table, and the operation's own lookup
                    // goes on from there: a full join (a lookup of our id and a refresh of every bucket) would
                    // cost a client several lookups for contacts it uses once.
                    var pings = await Task.WhenAll(options.BootstrapNodes.Select(ep => node.PingAsync(ep, cancellationToken)));
                    if (!pings.Any(p => p.Answered))
                    {
                        await context.Error.WriteLineAsync($"Error: no bootstrap node answered ({string.Join(", ", options.BootstrapNodes)})");
                        return ExitCodes.Network;
                    }
                }

                return await operation(node, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                // A value over the size limit, a malformed key: the request, not the network.
                await context.Error.WriteLineAsync($"Error: {ex.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or SocketException)
            {
                await context.Error.WriteLineAsync($"Error: {ex.Message}");
                return ExitCodes.Network;
            }
        }
    }
}
