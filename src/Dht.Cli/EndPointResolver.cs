using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;

namespace Dht.Cli;

/// <summary>Turns "host:port" (a name or an address) into an endpoint, preferring IPv4.</summary>
internal static class EndPointResolver
{
    public static bool TryResolve(string text, [NotNullWhen(true)] out NetEndPoint? endPoint, [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        if (NetEndPoint.TryParse(text, out var literal))
        {
            endPoint = literal;
            error = null;
            return true;
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not HOST:PORT";
            return false;
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = $"'{text}': the port must be 1 to 65535";
            return false;
        }

        string host = text[..colon];
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (address is null)
            {
                error = $"'{host}' has no address";
                return false;
            }

            endPoint = NetEndPoint.FromIPEndPoint(new IPEndPoint(address, port));
            error = null;
            return true;
        }
        catch (SocketException ex)
        {
            error = $"cannot resolve '{host}': {ex.Message}";
            return false;
        }
    }
}
