namespace Dht.Protocol.Bencode;

/// <summary>The kind of token a <see cref="BencodeReader"/> is positioned on.</summary>
internal enum BencodeTokenType : byte
{
    /// <summary>Nothing read yet, or the input is exhausted.</summary>
    None,

    /// <summary>An integer (<c>i42e</c>); see <see cref="BencodeReader.IntegerValue"/>.</summary>
    Integer,

    /// <summary>A byte string that is a value; see <see cref="BencodeReader.ValueSpan"/>.</summary>
    String,

    /// <summary>A byte string in key position of a dictionary.</summary>
    Key,

    /// <summary>The start of a list (<c>l</c>).</summary>
    StartList,

    /// <summary>The start of a dictionary (<c>d</c>).</summary>
    StartDictionary,

    /// <summary>The end of the innermost list or dictionary (<c>e</c>).</summary>
    End,
}
