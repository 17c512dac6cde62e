using Dht.Cli.Editing;

namespace Dht.Cli.Tests.Editing;

/// <summary>
/// A terminal whose keys are given up front. When they run out it presses Ctrl+D, as a user leaving the shell
/// would, so that a test never waits for a key that will not come.
/// </summary>
internal sealed class ScriptedTerminal(IEnumerable<ConsoleKeyInfo> keys, int width = 80) : ITerminal
{
    private readonly Queue<ConsoleKeyInfo> _keys = new(keys);

    /// <summary>Keys for a text: printable characters as typed, '\r' as Enter, control characters as Ctrl+letter.</summary>
    public ScriptedTerminal(string text, int width = 80)
        : this(KeysOf(text), width)
    {
    }

    public int Width => width;

    /// <summary>True while Ctrl+C is read as a key.</summary>
    public bool CapturingControlC { get; private set; }

    /// <summary>How many times capture was turned off again (once per line read).</summary>
    public int Released { get; private set; }

    public static ConsoleKeyInfo Ctrl(char letter) =>
        new((char)(char.ToUpperInvariant(letter) - 'A' + 1), ConsoleKey.A + (char.ToUpperInvariant(letter) - 'A'), shift: false, alt: false, control: true);

    /// <summary>The keys that type <paramref name="text"/>.</summary>
    public static IEnumerable<ConsoleKeyInfo> KeysOf(string text) => text.Select(Key);

    public static ConsoleKeyInfo Special(ConsoleKey key) => new('\0', key, shift: false, alt: false, control: false);

    public Task<ConsoleKeyInfo> ReadKeyAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_keys.Count > 0 ? _keys.Dequeue() : Ctrl('D'));

    public void CaptureControlC(bool capture)
    {
        CapturingControlC = capture;
        Released += capture ? 0 : 1;
    }

    private static ConsoleKeyInfo Key(char c) => c switch
    {
        '\r' => new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false),
        < ' ' => Ctrl((char)('A' + c - 1)),
        _ => new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false),
    };
}
