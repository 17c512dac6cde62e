namespace Dht.TestSupport.Engine;

/// <summary>How a scripted remote of another implementation answers a method it does not know (our extension's).</summary>
public enum UnknownMethodAnswer
{
    /// <summary>No answer at all, as webtorrent's bittorrent-dht.</summary>
    Silence,

    /// <summary>As find_node when the query names a target (nodes, no token), as libtorrent.</summary>
    AsFindNode,

    /// <summary>KRPC error 204, as BEP 5 suggests.</summary>
    Error204,
}
