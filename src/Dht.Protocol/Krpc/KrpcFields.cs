// The presence flags of a KrpcMessage: the envelope's optional keys, and one per key of the "a" / "r"
// dictionaries. The core keys' flags have names here, which code reads them by; a key made without one
// (an extension's, such as ttl) takes a free bit when it is made (KrpcKey), and needs no line here.
namespace Dht.Protocol.Krpc;

/// <summary>Which optional keys a <see cref="KrpcMessage"/> carries.</summary>
[Flags]
internal enum KrpcFields : uint
{
    None = 0,
    Id = 1 << 0,
    Target = 1 << 1,
    InfoHash = 1 << 2,
    Token = 1 << 3,
    Port = 1 << 4,
    ImpliedPort = 1 << 5,
    Nodes = 1 << 6,
    Nodes6 = 1 << 7,
    Values = 1 << 8,
    Want = 1 << 9,
    Value = 1 << 10,
    Seq = 1 << 11,
    Cas = 1 << 12,
    Key = 1 << 13,
    Signature = 1 << 14,
    Salt = 1 << 15,
    Seed = 1 << 17,
    ClientVersion = 1 << 20,
    ExternalAddress = 1 << 21,
    ReadOnly = 1 << 22,
}
