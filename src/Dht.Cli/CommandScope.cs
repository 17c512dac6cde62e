namespace Dht.Cli;

/// <summary>What a piped command must wait for before it starts (the ordering rule in the README).</summary>
internal enum CommandScope
{
    /// <summary>Nothing: it reads or changes no stored key (ping, lookup, help, a refused line).</summary>
    Independent,

    /// <summary>Every earlier command on the same key (put, get, delete, announce, peers).</summary>
    Key,

    /// <summary>Every earlier command; no later one starts before it ends (status, keys, quit).</summary>
    Exclusive,
}
