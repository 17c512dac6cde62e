namespace Dht.Protocol.Bencode;

/// <summary>Why a <see cref="BencodeReader"/> rejected its input.</summary>
internal enum BencodeError : byte
{
    None,
    UnexpectedEnd,
    InvalidToken,
    InvalidInteger,
    IntegerOverflow,
    InvalidStringLength,
    StringTooLong,
    DepthExceeded,
    KeyNotString,
    UnsortedKeys,
    DuplicateKey,
    TrailingData,
    UnexpectedEndToken,
}
