namespace Dht.Cli;

/// <summary>Limits and settings of the command shell.</summary>
internal sealed class ShellOptions
{
    /// <summary>
    /// Piped commands running or waiting to print at once (the <c>node</c> command's <c>--parallel</c>). 32:
    /// with k = 8 and α = 3 that is about a hundred queries in flight, far below the node's own bounds
    /// (<see cref="DhtOptions.MaxConcurrentOperations"/> 256, <see cref="DhtOptions.MaxPendingQueries"/> 4096).
    /// 1 runs them one at a time.
    /// </summary>
    public int Parallelism { get; init; } = 32;

    /// <summary>
    /// The longest line read, in bytes of UTF-8 (in characters when typed at the line editor); a longer one is
    /// refused without being kept. 16384: room for the largest value (1000 bytes encoded) with a long key,
    /// written with escapes, several times over.
    /// </summary>
    public int MaxLineLength { get; init; } = 16 * 1024;

    /// <summary>Lines the interactive shell remembers for Up and Down. 500: bash's default HISTSIZE.</summary>
    public int HistorySize { get; init; } = 500;

    /// <summary>The node's named-value size limit (<c>Storage:MaxValueSize</c>), so an oversized put is refused before it is sent.</summary>
    public int MaxValueSize { get; init; } = Crypto.Bep44.MaxValueSize;

    /// <summary>False when the node runs with <c>--named-values false</c>: put KEY, get KEY and delete are refused with that reason.</summary>
    public bool NamedValues { get; init; } = true;
}
