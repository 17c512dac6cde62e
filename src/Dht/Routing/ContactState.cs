namespace Dht.Routing;

/// <summary>The node states of BEP 5's routing table section.</summary>
internal enum ContactState
{
    /// <summary>Answered one of our queries recently, or has answered before and queried us recently.</summary>
    Good,

    /// <summary>Neither good nor bad: to be pinged before it may be evicted.</summary>
    Questionable,

    /// <summary>Failed several of our queries in a row: the first to be replaced.</summary>
    Bad,
}
