namespace Dht.Cli.Reports;

/// <summary>The <c>kind</c> field of the JSON reports: which of the three kinds of value a key names.</summary>
internal static class ValueKind
{
    /// <summary>A named value (the find_value/store extension): any key name.</summary>
    public const string Named = "named";

    /// <summary>A BEP 44 immutable item: 40 hex digits, the SHA-1 of the encoded value.</summary>
    public const string Immutable = "immutable";

    /// <summary>A BEP 44 mutable item signed with ed25519: PUBKEY/NAME.</summary>
    public const string Signed = "signed";
}
