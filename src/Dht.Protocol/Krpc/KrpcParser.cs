// Decodes datagrams into KrpcMessage: the single place where remote bytes become a typed message.
//
// Like libtorrent's verify_message, every known key is checked for its type and size (KrpcArguments), and
// each query method has a table of required arguments; anything else is a KrpcParseStatus with a reason
// that the node sends back as error 203 (or 204 for an unknown method). Unknown keys are skipped (forward
// compatibility, BEP 5). Nothing here throws on remote input or allocates beyond the reasons' literals.
//
// An error must be matchable by its receiver, and keys are sorted, so "a" and "e" come before "t": when the
// strict pass stops early, KrpcRecovery still finds "t" and "y". Only a query that carried a transaction id
// is answerable (IsAnswerable); like libtorrent, a datagram without "t" or "y", a response and an error are
// never answered. Departure from BEP 5: an empty transaction id counts as none.
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>KRPC decoding and validation.</summary>
internal static class KrpcParser
{
    /// <summary>Longest transaction id accepted (BEP 5 ids are typically 2-4 bytes).</summary>
    public const int MaxTransactionIdLength = 32;

    /// <summary>Longest write token accepted.</summary>
    public const int MaxTokenLength = 64;

    /// <summary>Longest client version string accepted.</summary>
    public const int MaxClientVersionLength = 16;

    /// <summary>
    /// Decodes <paramref name="datagram"/> into <paramref name="message"/> (which is reset first). Byte fields
    /// of the message slice <paramref name="datagram"/>. On failure the message still carries the
    /// transaction id and kind when the datagram had them, wherever the fault was, so that an error can be
    /// sent back when <see cref="IsAnswerable"/> allows.
    /// </summary>
    public static KrpcParseResult Parse(ReadOnlyMemory<byte> datagram, KrpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Reset();
        var result = ParseEnvelope(datagram, message);
        if (!result.IsOk)
        {
            KrpcRecovery.Recover(datagram, message);
            return result;
        }

        return message.Kind switch
        {
            KrpcMessageKind.Query => ValidateQuery(message),
            KrpcMessageKind.Response => message.Has(KrpcFields.Id) ? KrpcParseResult.Ok : KrpcParseResult.Malformed("missing id"),
            _ => KrpcParseResult.Ok,
        };
    }

    private static KrpcParseResult ParseEnvelope(ReadOnlyMemory<byte> datagram, KrpcMessage m)
    {
        var data = datagram.Span;
        var reader = new BencodeReader(data);
        if (!reader.Read() || reader.TokenType != BencodeTokenType.StartDictionary)
        {
            return KrpcParseResult.Malformed("not a bencoded dictionary");
        }

        int bodyStart = -1, bodyEnd = -1;
        bool hasMethod = false, hasTransaction = false, bodyIsArguments = false;
        ReadOnlySpan<byte> kind = default;
        while (reader.Read())
        {
            if (reader.TokenType == BencodeTokenType.End)
            {
                break;
            }

            // reader is on a key
            var key = reader.ValueSpan;
            if (!reader.Read())
            {
                return Invalid(ref reader);
            }

            int valueStart = reader.TokenStart;
            if (key.SequenceEqual("t"u8))
            {
                if (!IsTransactionId(reader.TokenType == BencodeTokenType.String, reader.ValueSpan.Length))
                {
                    return KrpcParseResult.Malformed("invalid transaction id");
                }

                m.TransactionId = Slice(datagram, ref reader);
                hasTransaction = true;
            }
            else if (key.SequenceEqual("y"u8))
            {
                if (reader.TokenType != BencodeTokenType.String)
                {
                    return KrpcParseResult.Malformed("invalid message type");
                }

                kind = reader.ValueSpan;
            }
            else if (key.SequenceEqual("q"u8))
            {
                if (reader.TokenType != BencodeTokenType.String)
                {
                    return KrpcParseResult.Malformed("invalid method name");
                }

                hasMethod = true;
                m.Method = KrpcMethods.Parse(reader.ValueSpan);
            }
            else if (key.SequenceEqual("a"u8) || key.SequenceEqual("r"u8))
            {
                if (reader.TokenType != BencodeTokenType.StartDictionary || bodyStart >= 0)
                {
                    return KrpcParseResult.Malformed("arguments must be one dictionary");
                }

                bodyStart = valueStart;
                bodyIsArguments = key[0] == (byte)'a';
                if (!reader.Skip())
                {
                    return Invalid(ref reader);
                }

                bodyEnd = reader.Position;
            }
            else if (key.SequenceEqual("e"u8))
            {
                var r = ParseError(datagram, ref reader, m);
                if (!r.IsOk)
                {
                    return r;
                }
            }
            else if (key.SequenceEqual("v"u8))
            {
                if (reader.TokenType == BencodeTokenType.String && reader.ValueSpan.Length <= MaxClientVersionLength)
                {
                    m.ClientVersion = Slice(datagram, ref reader);
                    m.Fields |= KrpcFields.ClientVersion;
                }
                else if (!reader.Skip())
                {
                    return Invalid(ref reader);
                }
            }
            else if (key.SequenceEqual("ip"u8))
            {
                if (reader.TokenType == BencodeTokenType.String && reader.ValueSpan.Length is CompactEncoding.PeerV4Size or CompactEncoding.PeerV6Size)
                {
                    m.ExternalAddress = Slice(datagram, ref reader);
                    m.Fields |= KrpcFields.ExternalAddress;
                }
                else if (!reader.Skip())
                {
                    return Invalid(ref reader);
                }
            }
            else if (key.SequenceEqual("ro"u8))
            {
                if (reader.TokenType == BencodeTokenType.Integer && reader.IntegerValue == 1)
                {
                    m.Fields |= KrpcFields.ReadOnly;
                }
                else if (!reader.Skip())
                {
                    return Invalid(ref reader);
                }
            }
            else if (!reader.Skip())
            {
                return Invalid(ref reader);
            }
        }

        if (reader.HasError)
        {
            return Invalid(ref reader);
        }

        // Strict: the datagram is exactly one dictionary.
        if (reader.Read() || reader.HasError)
        {
            return KrpcParseResult.Malformed("trailing data after message");
        }

        if (kind.Length != 1)
        {
            return KrpcParseResult.Malformed("missing message type");
        }

        if (!hasTransaction)
        {
            return KrpcParseResult.Malformed("missing transaction id");
        }

        switch (kind[0])
        {
            case (byte)'q':
                m.Kind = KrpcMessageKind.Query;
                if (!hasMethod)
                {
                    return KrpcParseResult.Malformed("missing method name");
                }

                break;
            case (byte)'r':
                m.Kind = KrpcMessageKind.Response;
                break;
            case (byte)'e':
                m.Kind = KrpcMessageKind.Error;
                return m.ErrorCode != 0 ? KrpcParseResult.Ok : KrpcParseResult.Malformed("missing error");
            default:
                return KrpcParseResult.Malformed("unknown message type");
        }

        // Queries carry "a" and responses "r" (BEP 5); the other key in their place is not the body.
        if (bodyStart < 0 || bodyIsArguments != (m.Kind == KrpcMessageKind.Query))
        {
            return KrpcParseResult.Malformed(m.Kind == KrpcMessageKind.Query ? "missing arguments" : "missing return values");
        }

        return KrpcArguments.Parse(datagram[bodyStart..bodyEnd], bodyStart, datagram, m);
    }

    /// <summary>
    /// True when <paramref name="message"/> (parsed, or refused by <see cref="Parse"/>) may be answered: a
    /// query with a transaction id. Everything else is dropped silently, so that nothing without a
    /// transaction id, and no response or error, ever gets a reply.
    /// </summary>
    public static bool IsAnswerable(KrpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Kind == KrpcMessageKind.Query && !message.TransactionId.IsEmpty;
    }

    internal static bool IsTransactionId(bool isString, int length) => isString && length is > 0 and <= MaxTransactionIdLength;

    private static KrpcParseResult ParseError(ReadOnlyMemory<byte> datagram, ref BencodeReader reader, KrpcMessage m)
    {
        // e = [code, "message"]
        if (reader.TokenType != BencodeTokenType.StartList
            || !reader.Read() || reader.TokenType != BencodeTokenType.Integer)
        {
            return KrpcParseResult.Malformed("invalid error");
        }

        long code = reader.IntegerValue;
        if (code is < 1 or > 999)
        {
            return KrpcParseResult.Malformed("invalid error code");
        }

        m.ErrorCode = (int)code;
        if (!reader.Read())
        {
            return Invalid(ref reader);
        }

        if (reader.TokenType == BencodeTokenType.String)
        {
            m.ErrorMessage = Slice(datagram, ref reader);
            if (!reader.Read())
            {
                return Invalid(ref reader);
            }
        }

        // Tolerate extra list elements.
        while (reader.TokenType != BencodeTokenType.End)
        {
            if (!reader.Skip() || !reader.Read())
            {
                return Invalid(ref reader);
            }
        }

        return KrpcParseResult.Ok;
    }

    private static KrpcParseResult ValidateQuery(KrpcMessage m)
    {
        if (!m.Has(KrpcFields.Id))
        {
            return KrpcParseResult.Malformed("missing id");
        }

        var (required, reason) = m.Method switch
        {
            KrpcMethod.Ping => (KrpcFields.Id, null),
            KrpcMethod.FindNode => (KrpcFields.Target, "missing target"),
            KrpcMethod.GetPeers => (KrpcFields.InfoHash, "missing info_hash"),
            KrpcMethod.AnnouncePeer => (KrpcFields.InfoHash | KrpcFields.Token, "missing info_hash or token"),
            KrpcMethod.Get => (KrpcFields.Target, "missing target"),
            KrpcMethod.Put => (KrpcFields.Token | KrpcFields.Value, "missing token or v"),
            KrpcMethod.FindValue => (KrpcFields.Target, "missing target"),
            KrpcMethod.Store => (KrpcFields.Token | KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq, "missing token, target, v or seq"),
            _ => (KrpcFields.None, (string?)null),
        };

        if (m.Method == KrpcMethod.Unknown)
        {
            return new KrpcParseResult(KrpcParseStatus.MethodUnknown, "method unknown");
        }

        if (!m.Has(required))
        {
            return KrpcParseResult.Malformed(reason!);
        }

        if (m.Method == KrpcMethod.AnnouncePeer && !m.ImpliedPort && (!m.Has(KrpcFields.Port) || m.Port == 0))
        {
            return KrpcParseResult.Malformed("missing port");
        }

        if (m.Method == KrpcMethod.Put && (m.Has(KrpcFields.Key) || m.Has(KrpcFields.Signature))
            && !m.Has(KrpcFields.Key | KrpcFields.Signature | KrpcFields.Seq))
        {
            return KrpcParseResult.Malformed("mutable put needs k, sig and seq");
        }

        return KrpcParseResult.Ok;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> datagram, ref BencodeReader reader) =>
        datagram.Slice(reader.Position - reader.ValueSpan.Length, reader.ValueSpan.Length);

    internal static KrpcParseResult Invalid(ref BencodeReader reader) => reader.Error switch
    {
        BencodeError.UnsortedKeys => KrpcParseResult.Malformed("dictionary keys not sorted"),
        BencodeError.DuplicateKey => KrpcParseResult.Malformed("duplicate dictionary key"),
        BencodeError.DepthExceeded => KrpcParseResult.Malformed("nesting too deep"),
        BencodeError.UnexpectedEnd => KrpcParseResult.Malformed("truncated message"),
        BencodeError.StringTooLong => KrpcParseResult.Malformed("string length beyond message"),
        BencodeError.InvalidInteger or BencodeError.IntegerOverflow => KrpcParseResult.Malformed("invalid integer"),
        _ => KrpcParseResult.Malformed("invalid bencoding"),
    };
}
