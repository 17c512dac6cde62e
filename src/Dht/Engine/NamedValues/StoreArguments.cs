using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Engine.NamedValues;

/// <summary>
/// The arguments of one named-value <c>store</c> (the token is the write path's): <c>v</c> a bencoded byte
/// string (empty for a tombstone), <c>seq</c>, and the remaining lifetime when it is not the default.
/// </summary>
internal sealed class StoreArguments(NodeId target, ReadOnlySpan<byte> value, long seq, TimeSpan? ttl)
{
    private readonly byte[] _encoded = BencodedString.Encode(value);

    public void AddTo(KrpcMessage message)
    {
        var q = StoreQuery.Of(message);
        q.Target = target;
        q.Value = _encoded;
        q.Seq = seq;
        if (ttl is { } lifetime)
        {
            q.Ttl = Math.Max(1, (long)lifetime.TotalSeconds);
        }
    }
}
