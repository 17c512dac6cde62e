namespace Dht.Cli;

/// <summary>What the <c>dht</c> command's exit status means (documented in the README).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary><c>get</c>: not found; <c>put</c> / <c>delete</c>: no node accepted it; <c>node</c>: could not start.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments or configuration.</summary>
    public const int Usage = 2;

    /// <summary>
    /// No bootstrap node answered (or the pinged node did not), or no node answered the operation's lookup, so
    /// get cannot tell "not found" and put/delete sent nothing.
    /// </summary>
    public const int Network = 3;

    /// <summary>Stopped by Ctrl+C or SIGTERM before the answer (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
