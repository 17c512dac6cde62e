// The one-shot commands (get, put, delete, ping, lookup): join as a BEP 43 read-only client on an ephemeral port
// with nothing on disk, answer, and exit with a status a script can test.
using System.Net;
using System.Net.Sockets;
using Dht.Cli.Configuration;
using Dht.Protocol;

namespace Dht.Cli;

/// <summary>Runs one operation on a throwaway read-only node.</summary>
internal static class ClientRunner
{
    /// <param name="configuration">The loaded configuration; the port, storage and read-only settings are overridden.</param>
    /// <param name="plan">The checked command: what it runs, and the node a ping goes to.</param>
    /// <param name="context">Where answers and errors go.</param>
    /// <param name="cancellationToken">Ctrl+C / SIGTERM.</param>
    public static async Task<int> RunAsync(LoadedConfiguration configuration, ClientPlan plan, CliContext context, CancellationToken cancellationToken)
    {
        if (plan.Error is not null || plan.Run is null)
        {
            await context.Error.WriteLineAsync($"Error: {plan.Error}");
            return ExitCodes.Usage;
        }

        if (await configuration.ResolveBootstrapAsync(cancellationToken) is { } unresolved)
        {
            await context.Error.WriteLineAsync($"Error: {unresolved}");
            return ExitCodes.Usage;
        }

        var settings = configuration.Settings;
        var options = settings.Options;
        bool join = plan.PingTarget is null;
        if (join && options.BootstrapNodes.Count == 0)
        {
            await context.Error.WriteLineAsync("Error: no bootstrap node: give --bootstrap HOST:PORT (or the setting Bootstrap)");
            return ExitCodes.Usage;
        }

        IReadOnlyList<NetEndPoint> peers = plan.PingTarget is { } target ? [target] : [.. options.BootstrapNodes];
        if (ChooseListenAddress(options, configuration.SourceOf("Bind"), peers) is { } familyError)
        {
            await context.Error.WriteLineAsync($"Error: {familyError}");
            return ExitCodes.Usage;
        }

        // A client: answers nothing, is kept in no one's routing table (BEP 43), holds nothing after it exits.
        options.Port = 0;
        options.ReadOnly = true;
        settings.InMemory = true;
        using var loggerFactory = ConsoleLogging.Create(settings);
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

                return await plan.Run(node, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                // A malformed key the checks let through (e.g. a salt over BEP 44's 64 bytes): the request, not the network.
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

    /// <summary>
    /// A socket is of one address family: without <c>--bind</c> the client takes IPv6 when every node it talks to
    /// is IPv6 (<c>dht ping [::1]:8001</c>), else IPv4. With <c>--bind</c>, at least one of them must be of its
    /// family. Returns the problem, or null.
    /// </summary>
    internal static string? ChooseListenAddress(DhtOptions options, string bindSource, IReadOnlyList<NetEndPoint> peers)
    {
        if (bindSource == "default")
        {
            options.ListenAddress = peers.Count > 0 && peers.All(p => p.IsIPv6) ? IPAddress.IPv6Any : IPAddress.Any;
            return null;
        }

        bool bindIsIPv6 = options.ListenAddress.AddressFamily == AddressFamily.InterNetworkV6;
        if (peers.Count == 0 || peers.Any(p => p.IsIPv6 == bindIsIPv6))
        {
            return null;
        }

        string family = bindIsIPv6 ? "IPv6" : "IPv4";
        string others = peers.Count == 1 ? $"{peers[0]} is not" : $"none of {string.Join(", ", peers)} is";
        return $"setting 'Bind' ({bindSource}) is an {family} address, but {others}: bind an address of the same family";
    }
}
