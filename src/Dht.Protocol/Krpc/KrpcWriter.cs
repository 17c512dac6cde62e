// Encodes a KrpcMessage. Keys are written in the sorted order bencode requires; the order below is the
// byte order of the key names and must stay that way.
using System.Buffers;
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>KRPC encoding.</summary>
internal static class KrpcWriter
{
    /// <summary>Writes <paramref name="message"/> as one bencoded dictionary.</summary>
    public static void Write(KrpcMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        var w = new BencodeWriter(output);
        w.WriteStartDictionary();
        switch (message.Kind)
        {
            case KrpcMessageKind.Query:
                w.WriteKey("a"u8);
                WriteBody(message, w);
                break;
            case KrpcMessageKind.Error:
                w.WriteKey("e"u8);
                w.WriteStartList();
                w.WriteInteger(message.ErrorCode);
                w.WriteString(message.ErrorMessage.Span);
                w.WriteEnd();
                break;
            case KrpcMessageKind.Response:
                break;
            default:
                throw new InvalidOperationException("Message kind is not set.");
        }

        if (message.Has(KrpcFields.ExternalAddress))
        {
            w.WriteKey("ip"u8);
            w.WriteString(message.ExternalAddress.Span);
        }

        if (message.Kind == KrpcMessageKind.Query)
        {
            w.WriteKey("q"u8);
            w.WriteString(KrpcMethods.NameOf(message.Method));
        }
        else if (message.Kind == KrpcMessageKind.Response)
        {
            w.WriteKey("r"u8);
            WriteBody(message, w);
        }

        if (message.Has(KrpcFields.ReadOnly))
        {
            w.WriteKey("ro"u8);
            w.WriteInteger(1);
        }

        w.WriteKey("t"u8);
        w.WriteString(message.TransactionId.Span);
        if (message.Has(KrpcFields.ClientVersion))
        {
            w.WriteKey("v"u8);
            w.WriteString(message.ClientVersion.Span);
        }

        w.WriteKey("y"u8);
        w.WriteString(message.Kind switch
        {
            KrpcMessageKind.Query => "q"u8,
            KrpcMessageKind.Response => "r"u8,
            _ => "e"u8,
        });
        w.WriteEnd();
    }

    private static void WriteBody(KrpcMessage m, BencodeWriter w)
    {
        var f = m.Fields;
        w.WriteStartDictionary();
        if ((f & KrpcFields.Cas) != 0)
        {
            w.WriteKey("cas"u8);
            w.WriteInteger(m.Cas);
        }

        w.WriteKey("id"u8);
        w.WriteNodeId(m.Id);
        if ((f & KrpcFields.ImpliedPort) != 0)
        {
            w.WriteKey("implied_port"u8);
            w.WriteInteger(m.ImpliedPort ? 1 : 0);
        }

        if ((f & KrpcFields.InfoHash) != 0)
        {
            w.WriteKey("info_hash"u8);
            w.WriteNodeId(m.InfoHash);
        }

        if ((f & KrpcFields.Key) != 0)
        {
            w.WriteKey("k"u8);
            w.WriteString(m.Key.Span);
        }

        if ((f & KrpcFields.Nodes) != 0)
        {
            w.WriteKey("nodes"u8);
            w.WriteString(m.Nodes.Span);
        }

        if ((f & KrpcFields.Nodes6) != 0)
        {
            w.WriteKey("nodes6"u8);
            w.WriteString(m.Nodes6.Span);
        }

        if ((f & KrpcFields.Port) != 0)
        {
            w.WriteKey("port"u8);
            w.WriteInteger(m.Port);
        }

        if ((f & KrpcFields.Salt) != 0)
        {
            w.WriteKey("salt"u8);
            w.WriteString(m.Salt.Span);
        }

        if ((f & KrpcFields.Seed) != 0)
        {
            w.WriteKey("seed"u8);
            w.WriteInteger(m.Seed ? 1 : 0);
        }

        if ((f & KrpcFields.Seq) != 0)
        {
            w.WriteKey("seq"u8);
            w.WriteInteger(m.Seq);
        }

        if ((f & KrpcFields.Signature) != 0)
        {
            w.WriteKey("sig"u8);
            w.WriteString(m.Signature.Span);
        }

        if ((f & KrpcFields.Target) != 0)
        {
            w.WriteKey("target"u8);
            w.WriteNodeId(m.Target);
        }

        if ((f & KrpcFields.Token) != 0)
        {
            w.WriteKey("token"u8);
            w.WriteString(m.Token.Span);
        }

        if ((f & KrpcFields.Ttl) != 0)
        {
            w.WriteKey("ttl"u8);
            w.WriteInteger(m.Ttl);
        }

        if ((f & KrpcFields.Value) != 0)
        {
            w.WriteKey("v"u8);
            w.WriteRaw(m.Value.Span);
        }

        if ((f & KrpcFields.Values) != 0)
        {
            w.WriteKey("values"u8);
            w.WriteRaw(m.Values.Span);
        }

        if ((f & KrpcFields.Want) != 0)
        {
            w.WriteKey("want"u8);
            w.WriteRaw(m.Want.Span);
        }

        w.WriteEnd();
    }
}
