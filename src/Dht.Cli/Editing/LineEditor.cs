// The interactive shell's line editor: keys from a terminal edit a LineBuffer, and the line is redrawn on one
// row after each key (a long line scrolls sideways instead of wrapping). Keys, as in bash and readline:
//   Left/Right, Ctrl+B/Ctrl+F     move by one character      Home/End, Ctrl+A/Ctrl+E   start/end of line
//   Backspace, Delete             delete before/under        Ctrl+U / Ctrl+K          delete to start/end
//   Ctrl+W                        delete the word before     Up/Down, Ctrl+P/Ctrl+N   history
//   Enter                         run the line               Ctrl+C                   drop the line; on an empty line, stop
//   Ctrl+D                        on an empty line, stop (end of input); else delete under the cursor
// Departures from readline: no kill ring (deleted text is not kept for Ctrl+Y), no search, no completion, and
// characters are assumed one column wide.
using System.Globalization;
using Dht.Cli.Input;

namespace Dht.Cli.Editing;

/// <summary>Reads lines from a terminal with editing and history; an <see cref="ILineSource"/> for the shell.</summary>
/// <param name="terminal">Where keys come from.</param>
/// <param name="screen">Where the line is drawn (the terminal's output).</param>
/// <param name="buffer">The line and its history.</param>
/// <param name="prompt">Shown before the line.</param>
internal sealed class LineEditor(ITerminal terminal, TextWriter screen, LineBuffer buffer, string prompt = "> ") : ILineSource
{
    private const string ClearToEnd = "\u001b[K";

    private int _scroll;
    private int _number;

    /// <summary>The line buffer, for tests that look at the history.</summary>
    public LineBuffer Buffer => buffer;

    public async Task<InputLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        terminal.CaptureControlC(true);
        try
        {
            await DrawAsync();
            while (true)
            {
                var key = await terminal.ReadKeyAsync(cancellationToken);
                switch (Apply(key))
                {
                    case EditResult.Accepted:
                        buffer.End();
                        await DrawAsync();
                        await screen.WriteLineAsync();
                        return new InputLine(++_number, buffer.Accept());
                    case EditResult.Dropped:
                        await screen.WriteLineAsync("^C");
                        buffer.Discard();
                        break;
                    case EditResult.Ended:
                        await screen.WriteLineAsync();
                        await screen.FlushAsync(cancellationToken);
                        return null;
                    case EditResult.Full:
                        await screen.WriteAsync('\a'); // the terminal's bell: the line is at its limit
                        break;
                }

                await DrawAsync();
            }
        }
        finally
        {
            terminal.CaptureControlC(false);
        }
    }

    /// <summary>
    /// What part of the line fits in <paramref name="room"/> columns: it scrolls just enough to keep the cursor
    /// in view. Returns the new scroll offset, the visible text and the cursor's column in it.
    /// </summary>
    internal static (int Scroll, string Visible, int Column) Layout(string text, int cursor, int room, int scroll)
    {
        room = Math.Max(1, room);
        if (text.Length < room)
        {
            return (0, text, cursor);
        }

        scroll = Math.Clamp(scroll, Math.Max(0, cursor - room + 1), cursor);
        return (scroll, text.Substring(scroll, Math.Min(room, text.Length - scroll)), cursor - scroll);
    }

    private EditResult Apply(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                return EditResult.Accepted;
            case ConsoleKey.LeftArrow:
                buffer.Left();
                return EditResult.Edited;
            case ConsoleKey.RightArrow:
                buffer.Right();
                return EditResult.Edited;
            case ConsoleKey.Home:
                buffer.Home();
                return EditResult.Edited;
            case ConsoleKey.End:
                buffer.End();
                return EditResult.Edited;
            case ConsoleKey.Backspace:
                buffer.Backspace();
                return EditResult.Edited;
            case ConsoleKey.Delete:
                buffer.Delete();
                return EditResult.Edited;
            case ConsoleKey.UpArrow:
                buffer.Previous();
                return EditResult.Edited;
            case ConsoleKey.DownArrow:
                buffer.Next();
                return EditResult.Edited;
        }

        return ApplyCharacter(key);
    }

    private EditResult ApplyCharacter(ConsoleKeyInfo key)
    {
        // Control keys by their character (Ctrl+A is U+0001), which every console reports the same way.
        char c = key.KeyChar;
        if (c == '\0' && (key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key is >= ConsoleKey.A and <= ConsoleKey.Z)
        {
            c = (char)(key.Key - ConsoleKey.A + 1);
        }

        switch (c)
        {
            case '\r' or '\n':
                return EditResult.Accepted;
            case '\u0003': // Ctrl+C
                return buffer.IsEmpty ? EditResult.Ended : EditResult.Dropped;
            case '\u0004': // Ctrl+D
                if (buffer.IsEmpty)
                {
                    return EditResult.Ended;
                }

                buffer.Delete();
                break;
            case '\u0001':
                buffer.Home();
                break;
            case '\u0005':
                buffer.End();
                break;
            case '\u0002':
                buffer.Left();
                break;
            case '\u0006':
                buffer.Right();
                break;
            case '\b' or '\u007f':
                buffer.Backspace();
                break;
            case '\u0015': // Ctrl+U
                buffer.DeleteToStart();
                break;
            case '\u000b': // Ctrl+K
                buffer.DeleteToEnd();
                break;
            case '\u0017': // Ctrl+W
                buffer.DeleteWordBefore();
                break;
            case '\u0010': // Ctrl+P
                buffer.Previous();
                break;
            case '\u000e': // Ctrl+N
                buffer.Next();
                break;
            default:
                if (!char.IsControl(c) && !buffer.Insert(c))
                {
                    return EditResult.Full;
                }

                break;
        }

        return EditResult.Edited;
    }

    private async Task DrawAsync()
    {
        int room = terminal.Width - prompt.Length - 1;
        (_scroll, string visible, int column) = Layout(buffer.Text, buffer.Cursor, room, _scroll);
        string back = column < visible.Length ? string.Create(CultureInfo.InvariantCulture, $"\u001b[{visible.Length - column}D") : "";
        await screen.WriteAsync($"\r{prompt}{visible}{ClearToEnd}{back}");
        await screen.FlushAsync();
    }
}
