using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Engine.NamedValues;

/// <summary>
/// The arguments of one named-value <c>store</c> (the token is the write path's): <c>v</c> a bencoded byte
/// string (empty for a tombstone), <c>seq</c>, and the remaining lifetime when it is not the default.
/// </summary>
internal sealed class StoreArguments(NodeId target, ReadOnlySpan<byte> value, long seq, TimeSpan? ttl)
{
    private readonly byte[] _encoded = BencodedString.Encode(value);

    public void AddTo(KrpcMessage q)
    {
        q.Target = target;
        q.Value = _encoded;
        q.Seq = seq;
        q.Fields |= KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq;
        if (ttl is { } lifetime)
        {
            q.Ttl = Math.Max(1, (long)lifetime.TotalSeconds);
            q.Fields |= KrpcFields.Ttl;
        }
    }
}
