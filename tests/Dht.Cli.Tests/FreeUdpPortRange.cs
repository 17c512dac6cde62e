namespace Dht.TestSupport.Processes;

internal static partial class FreeUdpPort
{
    /// <summary>This assembly's ports: 20000-25999 (the library's tests use 26000-31999).</summary>
    private const int FirstPort = 20000;
}
