// The line editor's state without a terminal: the text, the cursor and the history, changed by the editing
// operations the keys map to. Kept apart from the keys and the screen so that every operation is tested alone.
using System.Text;

namespace Dht.Cli.Editing;

/// <summary>A line being edited, with a bounded history of accepted lines.</summary>
/// <param name="maxLength">The longest line, in characters: typing stops there.</param>
/// <param name="historySize">Accepted lines remembered; the oldest are forgotten first.</param>
internal sealed class LineBuffer(int maxLength, int historySize)
{
    private readonly StringBuilder _text = new();
    private readonly List<string> _history = [];
    private int _historyIndex;
    private string _draft = "";

    public string Text => _text.ToString();

    /// <summary>Where the next character goes: 0 before the first, <c>Text.Length</c> after the last.</summary>
    public int Cursor { get; private set; }

    public bool IsEmpty => _text.Length == 0;

    /// <summary>Accepted lines, oldest first.</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>Inserts a character at the cursor; false when the line is full.</summary>
    public bool Insert(char c)
    {
        if (_text.Length >= maxLength)
        {
            return false;
        }

        _text.Insert(Cursor, c);
        Cursor++;
        return true;
    }

    public void Left() => Cursor -= StepBack();

    public void Right() => Cursor += StepForward();

    public void Home() => Cursor = 0;

    public void End() => Cursor = _text.Length;

    /// <summary>Deletes the character before the cursor (Backspace).</summary>
    public void Backspace()
    {
        int n = StepBack();
        _text.Remove(Cursor - n, n);
        Cursor -= n;
    }

    /// <summary>Deletes the character under the cursor (Delete).</summary>
    public void Delete() => _text.Remove(Cursor, StepForward());

    /// <summary>Deletes from the start of the line to the cursor (Ctrl+U).</summary>
    public void DeleteToStart()
    {
        _text.Remove(0, Cursor);
        Cursor = 0;
    }

    /// <summary>Deletes from the cursor to the end of the line (Ctrl+K).</summary>
    public void DeleteToEnd() => _text.Length = Cursor;

    /// <summary>Deletes the word before the cursor and the spaces after it, as a shell's Ctrl+W does.</summary>
    public void DeleteWordBefore()
    {
        int start = Cursor;
        while (start > 0 && char.IsWhiteSpace(_text[start - 1]))
        {
            start--;
        }

        while (start > 0 && !char.IsWhiteSpace(_text[start - 1]))
        {
            start--;
        }

        _text.Remove(start, Cursor - start);
        Cursor = start;
    }

    /// <summary>Shows the previous line of the history (Up); the line being typed is kept for coming back.</summary>
    public void Previous()
    {
        if (_historyIndex == 0)
        {
            return;
        }

        if (_historyIndex == _history.Count)
        {
            _draft = Text;
        }

        Show(_history[--_historyIndex]);
    }

    /// <summary>Shows the next line of the history (Down), and after the newest the line that was being typed.</summary>
    public void Next()
    {
        if (_historyIndex == _history.Count)
        {
            return;
        }

        _historyIndex++;
        Show(_historyIndex == _history.Count ? _draft : _history[_historyIndex]);
    }

    /// <summary>Returns the line and starts a new one; a line that is not blank and not the last one again goes into the history.</summary>
    public string Accept()
    {
        string line = Text;
        if (historySize > 0 && !string.IsNullOrWhiteSpace(line) && (_history.Count == 0 || _history[^1] != line))
        {
            if (_history.Count == historySize)
            {
                _history.RemoveAt(0);
            }

            _history.Add(line);
        }

        Discard();
        return line;
    }

    /// <summary>Drops the line (Ctrl+C) and starts a new one.</summary>
    public void Discard()
    {
        Show("");
        _draft = "";
        _historyIndex = _history.Count;
    }

    private void Show(string line)
    {
        _text.Clear().Append(line);
        Cursor = _text.Length;
    }

    // A surrogate pair is one character to the user: the cursor never stands between its halves.
    private int StepBack() =>
        Cursor == 0 ? 0 : Cursor >= 2 && char.IsLowSurrogate(_text[Cursor - 1]) && char.IsHighSurrogate(_text[Cursor - 2]) ? 2 : 1;

    private int StepForward() =>
        Cursor == _text.Length ? 0 : Cursor + 1 < _text.Length && char.IsHighSurrogate(_text[Cursor]) && char.IsLowSurrogate(_text[Cursor + 1]) ? 2 : 1;
}
