namespace Dht.Cli.Editing;

/// <summary>The process's console as an <see cref="ITerminal"/>.</summary>
internal sealed class ConsoleTerminal : ITerminal
{
    /// <summary>The width assumed when the console does not say (an 80-column terminal).</summary>
    private const int DefaultWidth = 80;

    public int Width
    {
        get
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : DefaultWidth;
            }
            catch (IOException)
            {
                return DefaultWidth;
            }
        }
    }

    // Console.ReadKey blocks and cannot be cancelled: wait on the pool, and stop waiting when the node stops.
    public Task<ConsoleKeyInfo> ReadKeyAsync(CancellationToken cancellationToken) =>
        Task.Run(() => Console.ReadKey(intercept: true), cancellationToken).WaitAsync(cancellationToken);

    public void CaptureControlC(bool capture) => Console.TreatControlCAsInput = capture;
}
