using System.Net;
using System.Net.Sockets;

namespace Dht.Tests.Interop;

/// <summary>Free UDP ports on 127.0.0.1 for child-process peers that need their port on the command line.</summary>
internal static class LoopbackPorts
{
    /// <summary>A port that was free a moment ago: the OS picks it for a socket that is closed at once. Another
    /// process may take it before the caller binds it, so a caller that fails to bind should retry.</summary>
    public static int GetFreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
