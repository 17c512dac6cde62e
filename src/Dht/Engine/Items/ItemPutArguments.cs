using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;

namespace Dht.Engine.Items;

/// <summary>The arguments of a BEP 44 put (the token is the write path's), for a publisher's put and a hand-over alike.</summary>
internal static class ItemPutArguments
{
    /// <summary>Sets v, and for a mutable item (a public key given) k, sig, seq, salt when not empty, and cas when given.</summary>
    public static void AddTo(
        KrpcMessage message, ReadOnlyMemory<byte> encodedValue, ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, long seq,
        ReadOnlyMemory<byte> signature, long? cas)
    {
        var q = PutQuery.Of(message);
        q.Value = encodedValue;
        if (publicKey.IsEmpty)
        {
            return;
        }

        q.Key = publicKey;
        q.Signature = signature;
        q.Seq = seq;
        if (!salt.IsEmpty)
        {
            q.Salt = salt;
        }

        if (cas is { } expected)
        {
            q.Cas = expected;
        }
    }
}
