using Dht.Protocol.Krpc;

namespace Dht.Engine.Items;

/// <summary>The arguments of a BEP 44 put (the token is the write path's), for a publisher's put and a hand-over alike.</summary>
internal static class ItemPutArguments
{
    /// <summary>Sets v, and for a mutable item (a public key given) k, sig, seq, salt when not empty, and cas when given.</summary>
    public static void AddTo(
        KrpcMessage q, ReadOnlyMemory<byte> encodedValue, ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, long seq,
        ReadOnlyMemory<byte> signature, long? cas)
    {
        q.Value = encodedValue;
        q.Fields |= KrpcFields.Value;
        if (publicKey.IsEmpty)
        {
            return;
        }

        q.Key = publicKey;
        q.Signature = signature;
        q.Seq = seq;
        q.Fields |= KrpcFields.Key | KrpcFields.Signature | KrpcFields.Seq;
        if (!salt.IsEmpty)
        {
            q.Salt = salt;
            q.Fields |= KrpcFields.Salt;
        }

        if (cas is { } expected)
        {
            q.Cas = expected;
            q.Fields |= KrpcFields.Cas;
        }
    }
}
