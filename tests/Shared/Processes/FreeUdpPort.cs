using System.Net;
using System.Net.Sockets;

namespace Dht.TestSupport.Processes;

/// <summary>
/// UDP ports for child processes (<c>dht</c>, bittorrent-dht) that take their port on the command line.
/// </summary>
/// <remarks>
/// A port the kernel picks for a port-0 socket, released and handed to a child, can be picked again for
/// another test's port-0 socket in the moment before the child binds it. These ports come from below the
/// kernel's ephemeral range (Linux: from 32768), where port-0 binds never land; each test assembly has a range
/// of its own (<see cref="FirstPort"/>), handed out in turn so that no two calls of a run share a port, and
/// each is checked free when it is handed out.
/// </remarks>
internal static partial class FreeUdpPort
{
    private const int PortsPerAssembly = 6000;

    // Where in its range a run starts: concurrent runs on one machine start apart.
    private static int _next = Environment.ProcessId % PortsPerAssembly;

    public static int Next()
    {
        for (int tried = 0; tried < PortsPerAssembly; tried++)
        {
            int port = FirstPort + (Interlocked.Increment(ref _next) % PortsPerAssembly);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free UDP port in {FirstPort}-{FirstPort + PortsPerAssembly - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
