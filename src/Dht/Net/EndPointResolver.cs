// Host-name resolution for the library and the command line: bootstrap nodes and ping targets may be names.
// A literal address costs no lookup. A name takes the first address of the preferred family (the family of the
// socket that will talk to it), else the first address there is.
using System.Net;
using System.Net.Sockets;

namespace Dht.Net;

/// <summary>Turns <c>HOST:PORT</c> text into endpoints, looking names up in DNS.</summary>
public sealed class EndPointResolver
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _lookUp;

    /// <param name="lookUp">Looks a host name up (tests give a table); <see cref="Default"/> asks the system's resolver.</param>
    public EndPointResolver(Func<string, CancellationToken, Task<IPAddress[]>> lookUp)
    {
        ArgumentNullException.ThrowIfNull(lookUp);
        _lookUp = lookUp;
    }

    /// <summary>The system's resolver (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>).</summary>
    public static EndPointResolver Default { get; } = new(Dns.GetHostAddressesAsync);

    /// <summary>Resolves one <c>HOST:PORT</c>; failures are results, not exceptions.</summary>
    /// <param name="text">An address or a host name, and a port.</param>
    /// <param name="preferred">The family to take when a name has addresses of both; Unspecified prefers IPv4.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    public async Task<EndPointResolution> ResolveAsync(
        string text, AddressFamily preferred = AddressFamily.Unspecified, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HostEndPoint.TryParse(text, out var parsed))
        {
            return new EndPointResolution(text, null, HostEndPoint.Expected);
        }

        if (parsed.Address is { } literal)
        {
            return new EndPointResolution(text, literal, null);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await _lookUp(parsed.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return new EndPointResolution(text, null, $"cannot resolve '{parsed.Host}': {ex.Message}");
        }

        if (preferred == AddressFamily.Unspecified)
        {
            preferred = AddressFamily.InterNetwork;
        }

        var address = addresses.FirstOrDefault(a => a.AddressFamily == preferred) ?? addresses.FirstOrDefault();
        return address is null
            ? new EndPointResolution(text, null, $"cannot resolve '{parsed.Host}': it has no address")
            : new EndPointResolution(text, Protocol.NetEndPoint.FromIPEndPoint(new IPEndPoint(address, parsed.Port)), null);
    }

    /// <summary>Resolves several at once; the results are in the order of <paramref name="texts"/>.</summary>
    public async Task<IReadOnlyList<EndPointResolution>> ResolveAllAsync(
        IEnumerable<string> texts, AddressFamily preferred = AddressFamily.Unspecified, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return await Task.WhenAll(texts.Select(t => ResolveAsync(t, preferred, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves <see cref="DhtOptions.Bootstrap"/> and adds what it resolves to <see cref="DhtOptions.BootstrapNodes"/>
    /// (each endpoint once), preferring the family of <see cref="DhtOptions.ListenAddress"/>. Call it before creating a
    /// <see cref="DhtNode"/> yourself; the hosted node of Dht.Hosting and the <c>dht</c> command do it for you.
    /// </summary>
    /// <returns>Every entry's outcome: the node joins through those that resolved.</returns>
    public async Task<IReadOnlyList<EndPointResolution>> ResolveBootstrapAsync(DhtOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = await ResolveAllAsync(options.Bootstrap, options.ListenAddress.AddressFamily, cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            if (result.EndPoint is { } endPoint && !options.BootstrapNodes.Contains(endPoint))
            {
                options.BootstrapNodes.Add(endPoint);
            }
        }

        return results;
    }
}
