// The lenient second look at a datagram the strict parser refused: finds the transaction id and the
// message kind, so that the error sent back can be matched (keys are sorted, so a fault under "a" or "e"
// stops the strict pass before it reaches "t" and "y"). Structure only: no canonical form, key order or
// depth rules, since those may be exactly what was wrong; never throws, never allocates, one pass.
namespace Dht.Protocol.Krpc;

/// <summary>Recovers "t" and "y" from a refused datagram.</summary>
internal static class KrpcRecovery
{
    /// <summary>
    /// Sets the transaction id and kind of <paramref name="m"/> from the top-level dictionary when the strict pass
    /// did not. The first occurrence of each key decides, as in the strict pass; anything that cannot be
    /// stepped over ends the search, and what was found so far stands.
    /// </summary>
    public static void Recover(ReadOnlyMemory<byte> datagram, KrpcMessage m)
    {
        var data = datagram.Span;
        bool needTransaction = m.TransactionId.IsEmpty, needKind = m.Kind == KrpcMessageKind.None;
        if (data.IsEmpty || data[0] != (byte)'d')
        {
            return;
        }

        int p = 1;
        while ((needTransaction || needKind) && p < data.Length && data[p] != (byte)'e')
        {
            if (!TrySkipString(data, p, out int keyStart, out int keyEnd) || !TrySkipValue(data, keyEnd, out int valueEnd))
            {
                return;
            }

            var key = data[keyStart..keyEnd];
            bool isString = TrySkipString(data, keyEnd, out int valueStart, out _);
            int valueLength = isString ? valueEnd - valueStart : 0;
            if (key.SequenceEqual("t"u8) && needTransaction)
            {
                needTransaction = false;
                if (KrpcParser.IsTransactionId(isString, valueLength))
                {
                    m.TransactionId = datagram.Slice(valueStart, valueLength);
                }
            }
            else if (key.SequenceEqual("y"u8) && needKind)
            {
                needKind = false;
                if (valueLength == 1)
                {
                    m.Kind = data[valueStart] switch
                    {
                        (byte)'q' => KrpcMessageKind.Query,
                        (byte)'r' => KrpcMessageKind.Response,
                        (byte)'e' => KrpcMessageKind.Error,
                        _ => KrpcMessageKind.None,
                    };
                }
            }

            p = valueEnd;
        }
    }

    // A string "<length>:<bytes>" at p: its bytes are data[start..end]. Leading zeros are tolerated here.
    private static bool TrySkipString(ReadOnlySpan<byte> data, int p, out int start, out int end)
    {
        start = end = 0;
        long length = 0;
        int q = p;
        while (q < data.Length && data[q] >= (byte)'0' && data[q] <= (byte)'9')
        {
            length = (length * 10) + (data[q] - '0');
            if (length > data.Length)
            {
                return false;
            }

            q++;
        }

        if (q == p || q >= data.Length || data[q] != (byte)':' || length > data.Length - q - 1)
        {
            return false;
        }

        start = q + 1;
        end = start + (int)length;
        return true;
    }

    // Any value at p, by structure only; nesting needs only a counter, so deep input costs no stack.
    private static bool TrySkipValue(ReadOnlySpan<byte> data, int p, out int end)
    {
        end = 0;
        int depth = 0;
        do
        {
            if (p >= data.Length)
            {
                return false;
            }

            byte b = data[p];
            if (b == (byte)'i')
            {
                int close = data[(p + 1)..].IndexOf((byte)'e');
                if (close < 0)
                {
                    return false;
                }

                p += close + 2;
            }
            else if (b is (byte)'l' or (byte)'d')
            {
                depth++;
                p++;
            }
            else if (b == (byte)'e')
            {
                if (depth == 0)
                {
                    return false;
                }

                depth--;
                p++;
            }
            else if (TrySkipString(data, p, out _, out int stringEnd))
            {
                p = stringEnd;
            }
            else
            {
                return false;
            }
        }
        while (depth > 0);

        end = p;
        return true;
    }
}
