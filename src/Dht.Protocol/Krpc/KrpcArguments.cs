// The "a" or "r" dictionary of a KRPC message, key by key: each known key is checked for its type and size
// (libtorrent's key_desc_t table) and sliced, never copied; unknown keys are skipped (BEP 5's forward
// compatibility). Which keys a method requires is KrpcParser's business, once this pass is done.
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>Decodes the arguments or return values of a KRPC message.</summary>
internal static class KrpcArguments
{
    /// <summary>
    /// Decodes <paramref name="body"/>, a slice of <paramref name="datagram"/> starting at <paramref name="offset"/>,
    /// into <paramref name="m"/>.
    /// </summary>
    public static KrpcParseResult Parse(ReadOnlyMemory<byte> body, int offset, ReadOnlyMemory<byte> datagram, KrpcMessage m)
    {
        var reader = new BencodeReader(body.Span);
        reader.Read(); // StartDictionary, already validated by the envelope pass
        while (reader.Read() && reader.TokenType != BencodeTokenType.End)
        {
            var key = reader.ValueSpan;
            if (!reader.Read())
            {
                return KrpcParser.Invalid(ref reader);
            }

            var type = reader.TokenType;
            var value = reader.ValueSpan;
            int len = value.Length;
            KrpcFields field;
            switch (key.Length)
            {
                case 1 when key[0] == (byte)'k':
                    if (type != BencodeTokenType.String || len != 32)
                    {
                        return KrpcParseResult.Malformed("invalid k");
                    }

                    m.Key = Slice(datagram, offset, ref reader);
                    field = KrpcFields.Key;
                    break;
                case 1 when key[0] == (byte)'v':
                    {
                        int start = reader.TokenStart;
                        if (!reader.Skip())
                        {
                            return KrpcParser.Invalid(ref reader);
                        }

                        m.Value = datagram.Slice(offset + start, reader.Position - start);
                        field = KrpcFields.Value;
                        break;
                    }

                case 2 when key.SequenceEqual("id"u8):
                    if (type != BencodeTokenType.String || len != NodeId.Size)
                    {
                        return KrpcParseResult.Malformed("invalid id");
                    }

                    m.Id = new NodeId(value);
                    field = KrpcFields.Id;
                    break;
                case 3 when key.SequenceEqual("cas"u8):
                    if (type != BencodeTokenType.Integer)
                    {
                        return KrpcParseResult.Malformed("invalid cas");
                    }

                    m.Cas = reader.IntegerValue;
                    field = KrpcFields.Cas;
                    break;
                case 3 when key.SequenceEqual("seq"u8):
                    if (type != BencodeTokenType.Integer || reader.IntegerValue < 0)
                    {
                        return KrpcParseResult.Malformed("invalid seq");
                    }

                    m.Seq = reader.IntegerValue;
                    field = KrpcFields.Seq;
                    break;
                case 3 when key.SequenceEqual("sig"u8):
                    if (type != BencodeTokenType.String || len != 64)
                    {
                        return KrpcParseResult.Malformed("invalid sig");
                    }

                    m.Signature = Slice(datagram, offset, ref reader);
                    field = KrpcFields.Signature;
                    break;
                case 3 when key.SequenceEqual("ttl"u8):
                    if (type != BencodeTokenType.Integer || reader.IntegerValue < 0)
                    {
                        return KrpcParseResult.Malformed("invalid ttl");
                    }

                    m.Ttl = reader.IntegerValue;
                    field = KrpcFields.Ttl;
                    break;
                case 4 when key.SequenceEqual("port"u8):
                    if (type != BencodeTokenType.Integer || reader.IntegerValue is < 0 or > ushort.MaxValue)
                    {
                        return KrpcParseResult.Malformed("invalid port");
                    }

                    m.Port = reader.IntegerValue;
                    field = KrpcFields.Port;
                    break;
                case 4 when key.SequenceEqual("salt"u8):
                    if (type != BencodeTokenType.String)
                    {
                        return KrpcParseResult.Malformed("invalid salt");
                    }

                    m.Salt = Slice(datagram, offset, ref reader);
                    field = KrpcFields.Salt;
                    break;
                case 4 when key.SequenceEqual("seed"u8):
                    if (type != BencodeTokenType.Integer)
                    {
                        return KrpcParseResult.Malformed("invalid seed");
                    }

                    m.Seed = reader.IntegerValue != 0;
                    field = KrpcFields.Seed;
                    break;
                case 4 when key.SequenceEqual("want"u8):
                    {
                        if (type != BencodeTokenType.StartList)
                        {
                            return KrpcParseResult.Malformed("invalid want");
                        }

                        int start = reader.TokenStart;
                        if (!reader.Skip())
                        {
                            return KrpcParser.Invalid(ref reader);
                        }

                        m.Want = datagram.Slice(offset + start, reader.Position - start);
                        field = KrpcFields.Want;
                        break;
                    }

                case 5 when key.SequenceEqual("nodes"u8):
                    if (type != BencodeTokenType.String || len % CompactEncoding.NodeV4Size != 0)
                    {
                        return KrpcParseResult.Malformed("invalid nodes");
                    }

                    m.Nodes = Slice(datagram, offset, ref reader);
                    field = KrpcFields.Nodes;
                    break;
                case 5 when key.SequenceEqual("token"u8):
                    if (type != BencodeTokenType.String || len > KrpcParser.MaxTokenLength)
                    {
                        return KrpcParseResult.Malformed("invalid token");
                    }

                    m.Token = Slice(datagram, offset, ref reader);
                    field = KrpcFields.Token;
                    break;
                case 6 when key.SequenceEqual("nodes6"u8):
                    if (type != BencodeTokenType.String || len % CompactEncoding.NodeV6Size != 0)
                    {
                        return KrpcParseResult.Malformed("invalid nodes6");
                    }

                    m.Nodes6 = Slice(datagram, offset, ref reader);
                    field = KrpcFields.Nodes6;
                    break;
                case 6 when key.SequenceEqual("target"u8):
                    if (type != BencodeTokenType.String || len != NodeId.Size)
                    {
                        return KrpcParseResult.Malformed("invalid target");
                    }

                    m.Target = new NodeId(value);
                    field = KrpcFields.Target;
                    break;
                case 6 when key.SequenceEqual("values"u8):
                    {
                        if (type != BencodeTokenType.StartList)
                        {
                            return KrpcParseResult.Malformed("invalid values");
                        }

                        int start = reader.TokenStart;
                        while (reader.Read() && reader.TokenType != BencodeTokenType.End)
                        {
                            if (reader.TokenType != BencodeTokenType.String)
                            {
                                return KrpcParseResult.Malformed("invalid values");
                            }
                        }

                        if (reader.HasError)
                        {
                            return KrpcParser.Invalid(ref reader);
                        }

                        m.Values = datagram.Slice(offset + start, reader.Position - start);
                        field = KrpcFields.Values;
                        break;
                    }

                case 9 when key.SequenceEqual("info_hash"u8):
                    if (type != BencodeTokenType.String || len != NodeId.Size)
                    {
                        return KrpcParseResult.Malformed("invalid info_hash");
                    }

                    m.InfoHash = new NodeId(value);
                    field = KrpcFields.InfoHash;
                    break;
                case 12 when key.SequenceEqual("implied_port"u8):
                    if (type != BencodeTokenType.Integer)
                    {
                        return KrpcParseResult.Malformed("invalid implied_port");
                    }

                    m.ImpliedPort = reader.IntegerValue != 0;
                    field = KrpcFields.ImpliedPort;
                    break;
                default:
                    if (!reader.Skip())
                    {
                        return KrpcParser.Invalid(ref reader);
                    }

                    continue;
            }

            m.Fields |= field;
        }

        return reader.HasError ? KrpcParser.Invalid(ref reader) : KrpcParseResult.Ok;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> datagram, int offset, ref BencodeReader reader) =>
        datagram.Slice(offset + reader.Position - reader.ValueSpan.Length, reader.ValueSpan.Length);
}
