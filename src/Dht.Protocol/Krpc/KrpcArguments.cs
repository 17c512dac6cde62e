// The "a" or "r" dictionary of a KRPC message, key by key: each key the schema describes is checked against
// its row of the key table and stored; unknown keys are skipped (BEP 5's forward compatibility). Which keys
// a method requires is the method description's business, once this pass is done.
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>Decodes the arguments or return values of a KRPC message.</summary>
internal static class KrpcArguments
{
    /// <summary>
    /// Decodes <paramref name="body"/>, a slice of <paramref name="datagram"/> starting at <paramref name="offset"/>,
    /// into <paramref name="m"/>.
    /// </summary>
    public static KrpcParseResult Parse(ReadOnlyMemory<byte> body, int offset, ReadOnlyMemory<byte> datagram, KrpcMessage m, KrpcSchema schema)
    {
        var reader = new BencodeReader(body.Span);
        reader.Read(); // StartDictionary, already validated by the envelope pass
        while (reader.Read() && reader.TokenType != BencodeTokenType.End)
        {
            var key = schema.FindKey(reader.ValueSpan);
            if (!reader.Read())
            {
                return KrpcParser.Invalid(ref reader);
            }

            if (key is null)
            {
                if (!reader.Skip())
                {
                    return KrpcParser.Invalid(ref reader);
                }

                continue;
            }

            var result = key.Read(ref reader, datagram, offset, m);
            if (!result.IsOk)
            {
                return result;
            }
        }

        return reader.HasError ? KrpcParser.Invalid(ref reader) : KrpcParseResult.Ok;
    }
}
