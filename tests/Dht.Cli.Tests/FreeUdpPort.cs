using System.Net;
using System.Net.Sockets;

namespace Dht.Cli.Tests;

/// <summary>A UDP port on loopback that was free a moment ago: bound to port 0, read back and released.</summary>
internal static class FreeUdpPort
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
