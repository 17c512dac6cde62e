using Dht.Cli.Editing;

namespace Dht.Cli.Tests.Editing;

/// <summary>The line editor fed keys as a terminal would send them: the lines it returns, what it draws, Ctrl+C and Ctrl+D.</summary>
public sealed class LineEditorTests
{
    private static readonly ConsoleKeyInfo Enter = new('\r', ConsoleKey.Enter, false, false, false);

    [Fact]
    public async Task Enter_ReturnsTheLine_AndNumbersIt()
    {
        var (editor, _) = Editor(new ScriptedTerminal("status\rkeys\r"));

        var first = await editor.ReadLineAsync(CancellationToken.None);
        var second = await editor.ReadLineAsync(CancellationToken.None);

        Assert.Equal(("status", 1), (first!.Text, first.Number));
        Assert.Equal(("keys", 2), (second!.Text, second.Number));
    }

    [Fact]
    public async Task ArrowsAndDelete_EditInTheMiddle()
    {
        // "get kye", Left twice, Backspace, Right, type "e", Home, Delete, type "g": "get key"
        ConsoleKeyInfo[] keys =
        [
            .. Typed("gget kye"),
            ScriptedTerminal.Special(ConsoleKey.LeftArrow),
            ScriptedTerminal.Special(ConsoleKey.LeftArrow),
            ScriptedTerminal.Special(ConsoleKey.RightArrow),
            ScriptedTerminal.Special(ConsoleKey.Backspace),
            ScriptedTerminal.Special(ConsoleKey.End),
            .. Typed("y"),
            ScriptedTerminal.Special(ConsoleKey.Home),
            ScriptedTerminal.Special(ConsoleKey.Delete),
            Enter,
        ];
        var (editor, _) = Editor(new ScriptedTerminal(keys));

        Assert.Equal("get key", (await editor.ReadLineAsync(CancellationToken.None))!.Text);
    }

    [Fact]
    public async Task ControlKeys_EditAsInAShell()
    {
        // Ctrl+U drops "junk ", Ctrl+W drops "word ", Ctrl+A/Ctrl+E move, Ctrl+K cuts the tail.
        ConsoleKeyInfo[] keys =
        [
            .. Typed("junk "),
            ScriptedTerminal.Ctrl('U'),
            .. Typed("get word "),
            ScriptedTerminal.Ctrl('W'),
            .. Typed("key tail"),
            ScriptedTerminal.Ctrl('B'), ScriptedTerminal.Ctrl('B'), ScriptedTerminal.Ctrl('B'), ScriptedTerminal.Ctrl('B'), ScriptedTerminal.Ctrl('B'),
            ScriptedTerminal.Ctrl('K'),
            ScriptedTerminal.Ctrl('A'),
            ScriptedTerminal.Ctrl('F'),
            ScriptedTerminal.Ctrl('E'),
            Enter,
        ];
        var (editor, _) = Editor(new ScriptedTerminal(keys));

        Assert.Equal("get key", (await editor.ReadLineAsync(CancellationToken.None))!.Text);
    }

    [Fact]
    public async Task UpAndDown_RecallEarlierLines()
    {
        ConsoleKeyInfo[] keys =
        [
            .. Typed("put k v\r"),
            .. Typed("get k\r"),
            ScriptedTerminal.Special(ConsoleKey.UpArrow),
            ScriptedTerminal.Special(ConsoleKey.UpArrow),
            ScriptedTerminal.Special(ConsoleKey.DownArrow),
            Enter,
            ScriptedTerminal.Ctrl('P'),
            ScriptedTerminal.Ctrl('P'),
            ScriptedTerminal.Ctrl('N'),
            ScriptedTerminal.Ctrl('N'),
            .. Typed("status\r"),
        ];
        var (editor, _) = Editor(new ScriptedTerminal(keys));

        var lines = new List<string>();
        while (await editor.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add(line.Text);
        }

        Assert.Equal(["put k v", "get k", "get k", "status"], lines);
    }

    [Fact]
    public async Task ControlC_DropsTheLine_AndTheNextOneIsRead()
    {
        var (editor, screen) = Editor(new ScriptedTerminal([.. Typed("put oops"), ScriptedTerminal.Ctrl('C'), .. Typed("status\r")]));

        var line = await editor.ReadLineAsync(CancellationToken.None);

        Assert.Equal("status", line!.Text);
        Assert.Contains("^C\n", screen.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlC_OnAnEmptyLine_EndsTheInput()
    {
        var (editor, _) = Editor(new ScriptedTerminal([ScriptedTerminal.Ctrl('C')]));

        Assert.Null(await editor.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ControlD_OnAnEmptyLine_EndsTheInput_ElseDeletesUnderTheCursor()
    {
        var (editor, _) = Editor(new ScriptedTerminal([.. Typed("abc"), ScriptedTerminal.Ctrl('A'), ScriptedTerminal.Ctrl('D'), Enter, ScriptedTerminal.Ctrl('D')]));

        Assert.Equal("bc", (await editor.ReadLineAsync(CancellationToken.None))!.Text);
        Assert.Null(await editor.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ControlC_IsAKey_OnlyWhileALineIsRead()
    {
        var terminal = new ScriptedTerminal("help\r");
        var (editor, _) = Editor(terminal);

        await editor.ReadLineAsync(CancellationToken.None);

        Assert.False(terminal.CapturingControlC);
        Assert.Equal(1, terminal.Released);
    }

    [Fact]
    public async Task Typing_StopsAtTheLengthLimit_WithABell()
    {
        var terminal = new ScriptedTerminal("abcdef\r");
        var screen = new StringWriter();
        var editor = new LineEditor(terminal, screen, new LineBuffer(maxLength: 4, historySize: 10));

        Assert.Equal("abcd", (await editor.ReadLineAsync(CancellationToken.None))!.Text);
        Assert.Contains('\a', screen.ToString());
    }

    [Fact]
    public async Task EachKey_RedrawsThePromptAndTheLine_WithTheCursorInPlace()
    {
        var (editor, screen) = Editor(new ScriptedTerminal([.. Typed("ab"), ScriptedTerminal.Special(ConsoleKey.LeftArrow), Enter]));

        await editor.ReadLineAsync(CancellationToken.None);

        // After Left: the line, clear to its end, then the cursor one column back.
        Assert.Contains("\r> ab\u001b[K\u001b[1D", screen.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("\r> ab\u001b[K\n", screen.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short", 5, 10, 0, 0, "short", 5)]
    [InlineData("0123456789abcdef", 16, 10, 0, 7, "789abcdef", 9)]
    [InlineData("0123456789abcdef", 2, 10, 7, 2, "23456789ab", 0)]
    [InlineData("0123456789abcdef", 8, 10, 3, 3, "3456789abc", 5)]
    public void Layout_ScrollsJustEnoughToShowTheCursor(string text, int cursor, int room, int scroll, int newScroll, string visible, int column)
    {
        var layout = LineEditor.Layout(text, cursor, room, scroll);

        Assert.Equal((newScroll, visible, column), layout);
    }

    private static (LineEditor Editor, StringWriter Screen) Editor(ScriptedTerminal terminal)
    {
        var screen = new StringWriter { NewLine = "\n" };
        return (new LineEditor(terminal, screen, new LineBuffer(1000, 100)), screen);
    }

    private static IEnumerable<ConsoleKeyInfo> Typed(string text) => ScriptedTerminal.KeysOf(text);
}
