namespace Dht.Routing;

/// <summary>
/// What a contact has shown of our named-value extension (find_value, store): learned from the client version
/// (<c>v</c>) of its messages and from its answers to the extension's queries. Only a contact that speaks it is
/// sent them, so that nodes of other implementations are never asked what they cannot answer.
/// </summary>
internal enum ExtensionSupport : byte
{
    /// <summary>Nothing seen yet: the contact is asked only what every Mainline node answers.</summary>
    Unknown,

    /// <summary>Its messages carry our client version, or it answered the extension's query with the extension's keys.</summary>
    Speaks,

    /// <summary>
    /// It refused the extension (error 204) or answered its query without the extension's keys (libtorrent answers an
    /// unknown method that names a target as find_node): never asked again, whatever its client version says.
    /// </summary>
    Refuses,
}
