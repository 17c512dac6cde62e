// The ids of the named-value extension's methods. They are the extension's, not the core's: the core enum
// lists only BEP 5 and BEP 44, and an extension takes ids from KrpcMethod.FirstExtension up. The names, keys
// and rules of these methods are in NamedValueMessages.
namespace Dht.Protocol.Krpc.NamedValues;

/// <summary>The <see cref="KrpcMethod"/> ids of the named-value extension (<c>find_value</c>, <c>store</c>).</summary>
public static class NamedValueMethods
{
    /// <summary><c>find_value</c>: the value stored under a target, or the nodes closest to it.</summary>
    public const KrpcMethod FindValue = KrpcMethod.FirstExtension;

    /// <summary><c>store</c>: writes a value under a target with a token from find_value.</summary>
    public const KrpcMethod Store = KrpcMethod.FirstExtension + 1;
}
