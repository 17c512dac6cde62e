namespace Dht.TestSupport.Processes;

internal static partial class FreeUdpPort
{
    /// <summary>This assembly's ports: 26000-31999 (the CLI's tests use 20000-25999).</summary>
    private const int FirstPort = 26000;
}
