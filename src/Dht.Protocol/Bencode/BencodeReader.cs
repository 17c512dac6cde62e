// A strict, forward-only bencode reader over a span, shaped like Utf8JsonReader: Read() moves to the next
// token, ValueSpan slices the input (no copies), errors carry the byte position. It never throws on
// malformed input and never allocates; every length is checked against the remaining input first.
//
// Strict means canonical: no leading zeros or "-0" in integers, string lengths without leading zeros,
// dictionary keys sorted as raw byte strings and unique, nothing after the top-level value, nesting at most
// MaxDepth. BEP 3 requires all of this of encoders; rejecting non-canonical input keeps BEP 44 signatures
// (computed over encoded bytes) unambiguous.
using System.Runtime.CompilerServices;

namespace Dht.Protocol.Bencode;

/// <summary>A strict, allocation-free bencode tokenizer.</summary>
internal ref struct BencodeReader
{
    /// <summary>The deepest nesting the reader accepts.</summary>
    public const int MaxDepth = 32;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private int _depth;
    private bool _started;
    private ContainerStack _isDictionary;
    private ContainerStack _expectKey;
    private IntStack _lastKeyStart;
    private IntStack _lastKeyLength;

    /// <summary>Creates a reader over a whole bencoded value.</summary>
    public BencodeReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        _depth = 0;
        _started = false;
        TokenType = BencodeTokenType.None;
        ValueSpan = default;
        IntegerValue = 0;
        Error = BencodeError.None;
        ErrorPosition = -1;
        TokenStart = 0;
    }

    /// <summary>The current token.</summary>
    public BencodeTokenType TokenType { get; private set; }

    /// <summary>The bytes of the current String or Key token (a slice of the input).</summary>
    public ReadOnlySpan<byte> ValueSpan { get; private set; }

    /// <summary>The value of the current Integer token.</summary>
    public long IntegerValue { get; private set; }

    /// <summary>Why reading stopped, or <see cref="BencodeError.None"/>.</summary>
    public BencodeError Error { get; private set; }

    /// <summary>Byte offset of the error, or -1.</summary>
    public int ErrorPosition { get; private set; }

    /// <summary>Offset of the first byte of the current token.</summary>
    public int TokenStart { get; private set; }

    /// <summary>Offset just past the current token.</summary>
    public readonly int Position => _position;

    /// <summary>Nesting depth after the current token (0 at top level).</summary>
    public readonly int Depth => _depth;

    /// <summary>True once the top-level value has been read completely and nothing follows it.</summary>
    public readonly bool IsComplete => _started && _depth == 0 && Error == BencodeError.None && _position == _data.Length;

    /// <summary>True when the reader stopped on malformed input.</summary>
    public readonly bool HasError => Error != BencodeError.None;

    /// <summary>
    /// Reads the next token. Returns false at the end of a complete value or on an error (see
    /// <see cref="Error"/>).
    /// </summary>
    public bool Read()
    {
        if (Error != BencodeError.None)
        {
            return false;
        }

        if (_started && _depth == 0)
        {
            TokenType = BencodeTokenType.None;
            if (_position != _data.Length)
            {
                return Fail(BencodeError.TrailingData, _position);
            }

            return false;
        }

        _started = true;
        if (_position >= _data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, _position);
        }

        TokenStart = _position;
        byte b = _data[_position];
        bool inDict = _depth > 0 && _isDictionary[_depth - 1];
        bool keyPosition = inDict && _expectKey[_depth - 1];

        if (b == (byte)'e')
        {
            if (_depth == 0)
            {
                return Fail(BencodeError.UnexpectedEndToken, _position);
            }

            if (inDict && !keyPosition)
            {
                // A key without a value.
                return Fail(BencodeError.UnexpectedEndToken, _position);
            }

            _position++;
            _depth--;
            TokenType = BencodeTokenType.End;
            AfterValue();
            return true;
        }

        if (keyPosition && (b < (byte)'0' || b > (byte)'9'))
        {
            return Fail(BencodeError.KeyNotString, _position);
        }

        switch (b)
        {
            case (byte)'i':
                return ReadInteger();
            case (byte)'l':
            case (byte)'d':
                if (_depth >= MaxDepth)
                {
                    return Fail(BencodeError.DepthExceeded, _position);
                }

                _position++;
                _isDictionary[_depth] = b == (byte)'d';
                _expectKey[_depth] = true;
                _lastKeyStart[_depth] = -1;
                _lastKeyLength[_depth] = 0;
                _depth++;
                TokenType = b == (byte)'d' ? BencodeTokenType.StartDictionary : BencodeTokenType.StartList;
                return true;
            default:
                if (b >= (byte)'0' && b <= (byte)'9')
                {
                    return ReadString(keyPosition);
                }

                return Fail(BencodeError.InvalidToken, _position);
        }
    }

    /// <summary>
    /// Skips the value the reader is positioned on: for a StartList/StartDictionary token, everything up to
    /// and including its End. Returns false on an error.
    /// </summary>
    public bool Skip()
    {
        if (TokenType is not (BencodeTokenType.StartList or BencodeTokenType.StartDictionary))
        {
            return Error == BencodeError.None;
        }

        int target = _depth - 1;
        while (Read())
        {
            if (TokenType == BencodeTokenType.End && _depth == target)
            {
                return true;
            }
        }

        return false;
    }

    private bool ReadInteger()
    {
        int start = _position;
        int p = start + 1;
        bool negative = false;
        if (p < _data.Length && _data[p] == (byte)'-')
        {
            negative = true;
            p++;
        }

        int digitsStart = p;
        ulong value = 0;
        while (p < _data.Length && _data[p] >= (byte)'0' && _data[p] <= (byte)'9')
        {
            ulong next = (value * 10) + (ulong)(_data[p] - '0');
            if (value > (ulong.MaxValue / 10) || next < value)
            {
                return Fail(BencodeError.IntegerOverflow, start);
            }

            value = next;
            p++;
        }

        if (p >= _data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, p);
        }

        int digits = p - digitsStart;
        if (_data[p] != (byte)'e' || digits == 0)
        {
            return Fail(BencodeError.InvalidInteger, start);
        }

        // Canonical form: no leading zeros, no negative zero.
        if ((digits > 1 && _data[digitsStart] == (byte)'0') || (negative && value == 0))
        {
            return Fail(BencodeError.InvalidInteger, start);
        }

        if (negative ? value > (ulong)long.MaxValue + 1 : value > long.MaxValue)
        {
            return Fail(BencodeError.IntegerOverflow, start);
        }

        IntegerValue = negative ? (long)(0 - value) : (long)value;
        _position = p + 1;
        TokenType = BencodeTokenType.Integer;
        ValueSpan = default;
        AfterValue();
        return true;
    }

    private bool ReadString(bool isKey)
    {
        int start = _position;
        int p = start;
        long length = 0;
        while (p < _data.Length && _data[p] >= (byte)'0' && _data[p] <= (byte)'9')
        {
            length = (length * 10) + (_data[p] - '0');
            if (length > _data.Length)
            {
                return Fail(BencodeError.StringTooLong, start);
            }

            p++;
        }

        if (p >= _data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, p);
        }

        if (_data[p] != (byte)':' || (p - start > 1 && _data[start] == (byte)'0'))
        {
            return Fail(BencodeError.InvalidStringLength, start);
        }

        p++;
        if (length > _data.Length - p)
        {
            return Fail(BencodeError.StringTooLong, start);
        }

        var value = _data.Slice(p, (int)length);
        if (isKey)
        {
            int d = _depth - 1;
            if (_lastKeyStart[d] >= 0)
            {
                int c = value.SequenceCompareTo(_data.Slice(_lastKeyStart[d], _lastKeyLength[d]));
                if (c == 0)
                {
                    return Fail(BencodeError.DuplicateKey, start);
                }

                if (c < 0)
                {
                    return Fail(BencodeError.UnsortedKeys, start);
                }
            }

            _lastKeyStart[d] = p;
            _lastKeyLength[d] = (int)length;
            _expectKey[d] = false;
            TokenType = BencodeTokenType.Key;
        }
        else
        {
            TokenType = BencodeTokenType.String;
        }

        ValueSpan = value;
        _position = p + (int)length;
        if (!isKey)
        {
            AfterValue();
        }

        return true;
    }

    private void AfterValue()
    {
        if (_depth > 0 && _isDictionary[_depth - 1])
        {
            _expectKey[_depth - 1] = true;
        }
    }

    private bool Fail(BencodeError error, int position)
    {
        Error = error;
        ErrorPosition = position;
        TokenType = BencodeTokenType.None;
        return false;
    }

    [InlineArray(MaxDepth)]
    private struct ContainerStack
    {
        private bool _element;
    }

    [InlineArray(MaxDepth)]
    private struct IntStack
    {
        private int _element;
    }
}
