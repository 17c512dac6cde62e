// The shell's quoting and whitespace rules, in one place (the README's "Shell commands" section states them):
// - words are separated by spaces or tabs; a word that starts with a double quote runs to the closing quote,
//   and inside quotes \" is a quote, \\ a backslash, \n a line feed and \t a tab (any other escape is refused);
// - a value (put) is everything after the one space or tab that follows the key, kept verbatim with its spaces;
//   a value that starts with a double quote is a quoted string instead, and only spaces may follow it.
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Dht.Cli.Input;

/// <summary>Reads the words and the value of one shell line, left to right.</summary>
internal sealed class ArgumentReader(string text)
{
    private int _position;

    /// <summary>Nothing but spaces or tabs is left.</summary>
    public bool AtEnd => text.AsSpan(_position).Trim(" \t").IsEmpty;

    /// <summary>The next word, or null at the end of the line; false (with the reason) when it is malformed.</summary>
    public bool TryReadWord(out Word? word, [NotNullWhen(false)] out string? error)
    {
        word = null;
        error = null;
        while (_position < text.Length && IsSeparator(text[_position]))
        {
            _position++;
        }

        if (_position == text.Length)
        {
            return true;
        }

        if (text[_position] != '"')
        {
            int start = _position;
            while (_position < text.Length && !IsSeparator(text[_position]))
            {
                _position++;
            }

            word = new Word(text[start.._position], Quoted: false);
            return true;
        }

        if (!TryReadQuoted(out string? quoted, out error))
        {
            return false;
        }

        if (_position < text.Length && !IsSeparator(text[_position]))
        {
            error = "a closing quote must be followed by a space";
            return false;
        }

        word = new Word(quoted, Quoted: true);
        return true;
    }

    /// <summary>
    /// The value after the word just read: the rest of the line after one space or tab, verbatim, or a quoted
    /// string. Null when nothing follows.
    /// </summary>
    public bool TryReadValue(out string? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (_position >= text.Length - 1)
        {
            _position = text.Length;
            return true;
        }

        _position++; // the one separator; a quoted word has checked that it is one
        if (text[_position] != '"')
        {
            value = text[_position..];
            _position = text.Length;
            return true;
        }

        if (!TryReadQuoted(out value, out error))
        {
            return false;
        }

        if (!AtEnd)
        {
            error = "only spaces may follow a quoted value";
            return false;
        }

        _position = text.Length;
        return true;
    }

    private bool TryReadQuoted([NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        var result = new StringBuilder();
        for (int i = _position + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"')
            {
                _position = i + 1;
                value = result.ToString();
                error = null;
                return true;
            }

            if (c == '\\')
            {
                char escaped = i + 1 < text.Length ? text[++i] : '\0';
                switch (escaped)
                {
                    case '"' or '\\':
                        result.Append(escaped);
                        break;
                    case 'n':
                        result.Append('\n');
                        break;
                    case 't':
                        result.Append('\t');
                        break;
                    default:
                        value = null;
                        error = escaped == '\0'
                            ? "missing closing quote"
                            : $"unknown escape \\{escaped} in quotes (\\\" \\\\ \\n \\t are known)";
                        return false;
                }

                continue;
            }

            result.Append(c);
        }

        value = null;
        error = "missing closing quote";
        return false;
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t';
}
