using Dht.Protocol;

namespace Dht.TestSupport.Storage;

/// <summary>Targets at chosen distances from a node whose id is all zeros.</summary>
internal static class StorageIds
{
    /// <summary>With our id all zeros, an id whose first byte is <paramref name="first"/> is at distance about first × 2^152: easy to order.</summary>
    public static NodeId AtDistance(byte first, int last = 0)
    {
        var bytes = new byte[NodeId.Size];
        bytes[0] = first;
        bytes[^2] = (byte)(last >> 8);
        bytes[^1] = (byte)last;
        return new NodeId(bytes);
    }
}
