using System.Buffers;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>Well-formed KRPC datagrams, encoded by the project's own writer.</summary>
internal static class KrpcBytes
{
    /// <summary>A query; <paramref name="arguments"/> sets fields beyond the id (and their <see cref="KrpcFields"/> flags).</summary>
    public static byte[] Query(KrpcMethod method, ReadOnlySpan<byte> transactionId, NodeId id, Action<KrpcMessage>? arguments)
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = method,
            TransactionId = transactionId.ToArray(),
            Id = id,
            Fields = KrpcFields.Id,
        };
        arguments?.Invoke(m);
        return Encode(m);
    }

    /// <summary>A response with our id and, when given, compact nodes.</summary>
    public static byte[] Response(ReadOnlyMemory<byte> transactionId, NodeId id, ReadOnlyMemory<byte> nodes)
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Response,
            TransactionId = transactionId,
            Id = id,
            Fields = KrpcFields.Id,
        };
        if (!nodes.IsEmpty)
        {
            m.Nodes = nodes;
            m.Fields |= KrpcFields.Nodes;
        }

        return Encode(m);
    }

    public static byte[] Encode(KrpcMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        KrpcWriter.Write(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
