namespace Dht.Protocol.Krpc;

/// <summary>The <c>y</c> key of a KRPC message.</summary>
internal enum KrpcMessageKind : byte
{
    None,

    /// <summary><c>y = q</c></summary>
    Query,

    /// <summary><c>y = r</c></summary>
    Response,

    /// <summary><c>y = e</c></summary>
    Error,
}
