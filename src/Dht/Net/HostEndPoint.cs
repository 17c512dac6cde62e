// An endpoint as people write it in configuration: an IP address or a host name, and a port. Parsing is only
// syntax; names are looked up later (EndPointResolver), when a node joins, so that binding options never waits
// for DNS and a name that moves is followed at the next join.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Dht.Protocol;

namespace Dht.Net;

/// <summary>A host (an IP address or a name) and a UDP port: <c>127.0.0.1:8001</c>, <c>[::1]:6881</c>, <c>router.example.org:6881</c>.</summary>
public readonly record struct HostEndPoint
{
    /// <summary>What is wrong with text that does not parse, as configuration errors say it.</summary>
    public const string Expected = "must be HOST:PORT with a port from 1 to 65535";

    private HostEndPoint(string host, ushort port, NetEndPoint? address)
    {
        Host = host;
        Port = port;
        Address = address;
    }

    /// <summary>The host as written (without the brackets of an IPv6 address).</summary>
    public string Host { get; }

    /// <summary>The UDP port, 1 to 65535.</summary>
    public ushort Port { get; }

    /// <summary>The endpoint when the host is an IP address; null for a name, which must be resolved.</summary>
    public NetEndPoint? Address { get; }

    /// <summary>Parses <c>HOST:PORT</c>; a host that is not an IP address must be a valid DNS name. Looks nothing up.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out HostEndPoint endPoint)
    {
        endPoint = default;
        if (text is null)
        {
            return false;
        }

        text = text.Trim();
        if (NetEndPoint.TryParse(text, out var literal))
        {
            string host = text[..text.LastIndexOf(':')].Trim('[', ']');
            endPoint = new HostEndPoint(host, literal.Port, literal);
            return true;
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
        {
            return false;
        }

        string name = text[..colon];
        if (Uri.CheckHostName(name) != UriHostNameType.Dns)
        {
            return false; // an unbracketed IPv6 address, spaces, an empty name...
        }

        endPoint = new HostEndPoint(name, port, null);
        return true;
    }

    /// <summary>The text form: <c>host:port</c>, an IPv6 address in brackets.</summary>
    public override string ToString() => Address?.ToString() ?? string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
