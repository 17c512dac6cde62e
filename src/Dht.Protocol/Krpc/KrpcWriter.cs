// Encodes a KrpcMessage. Keys are written in the sorted order bencode requires: the envelope's few keys in
// the order below (their byte order), the arguments and return values in the schema's key-table order. A query
// carrying an argument its method's description does not list, or a reply that names the method it answers
// (KrpcMessage.Method) and carries a key that method's response does not list, is a programmer error: it is
// refused here, not sent. The typed views (Messages/, NamedValues/) cannot build one.
using System.Buffers;
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>KRPC encoding.</summary>
internal static class KrpcWriter
{
    /// <summary>Writes <paramref name="message"/> as one bencoded dictionary.</summary>
    public static void Write(KrpcMessage message, IBufferWriter<byte> output) => Write(message, output, KrpcSchema.Default);

    /// <summary>As <see cref="Write(KrpcMessage, IBufferWriter{byte})"/>, with the keys and methods of <paramref name="schema"/>.</summary>
    public static void Write(KrpcMessage message, IBufferWriter<byte> output, KrpcSchema schema)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(schema);
        var method = message.Kind == KrpcMessageKind.Query ? schema.DescribeKnown(message.Method) : null;
        var described = method ?? (message.Kind == KrpcMessageKind.Response ? schema.Describe(message.Method) : null);
        if (described is not null)
        {
            var allowed = (method is null ? described.ResponseFields : described.QueryFields) | schema.BodyFields;
            if ((message.Fields & schema.KeyFields & ~allowed) != 0)
            {
                throw new InvalidOperationException(
                    $"A {described.Name} {message.Kind} carries keys its method does not list: {message.Fields & schema.KeyFields & ~allowed}.");
            }
        }

        var w = new BencodeWriter(output);
        w.WriteStartDictionary();
        switch (message.Kind)
        {
            case KrpcMessageKind.Query:
                w.WriteKey("a"u8);
                WriteBody(message, w, schema);
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

        if (method is not null)
        {
            w.WriteKey("q"u8);
            w.WriteRaw(method.EncodedName);
        }
        else if (message.Kind == KrpcMessageKind.Response)
        {
            w.WriteKey("r"u8);
            WriteBody(message, w, schema);
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

    private static void WriteBody(KrpcMessage m, BencodeWriter w, KrpcSchema schema)
    {
        // The keys to write, by flag; the loop ends with the last of them rather than at the table's end.
        var pending = (m.Fields | schema.BodyFields) & schema.KeyFields;
        w.WriteStartDictionary();
        foreach (var key in schema.OrderedKeys)
        {
            if ((pending & key.Field) != 0)
            {
                key.Write(m, w);
                pending &= ~key.Field;
                if (pending == 0)
                {
                    break;
                }
            }
        }

        w.WriteEnd();
    }
}
