// Splits piped standard input into lines of UTF-8 text without ever holding more than one line of the limit: a
// longer line is skipped to its end and reported, so a stray multi-megabyte line costs no memory. Lines are
// split and checked as bytes, so invalid UTF-8 is refused rather than silently replaced with U+FFFD.
using System.Text;
using System.Text.Unicode;

namespace Dht.Cli.Input;

/// <summary>Lines from a byte stream: bounded in length, checked for invalid UTF-8, line ends removed.</summary>
/// <param name="input">The input; read on the thread pool, since console input blocks and ignores tokens.</param>
/// <param name="maxLineLength">The longest line accepted, in bytes (without its line end).</param>
internal sealed class LineReader(Stream input, int maxLineLength) : ILineSource
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly byte[] _buffer = new byte[8192];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;
    private int _number;
    private bool _ended;

    public async Task<InputLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.SetLength(0);
        bool tooLong = false;
        bool any = false;
        while (true)
        {
            if (_start == _end && (_ended || await FillAsync(cancellationToken) == 0))
            {
                _ended = true;
                return any ? Complete(tooLong) : null;
            }

            any = true;
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = newline < 0 ? _end : newline;
            // One byte over the limit is still kept: it may be the '\r' of a CRLF line end.
            if (!tooLong && _line.Length + (stop - _start) > maxLineLength + 1)
            {
                tooLong = true;
                _line.SetLength(0);
            }

            if (!tooLong)
            {
                _line.Write(_buffer, _start, stop - _start);
            }

            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0)
            {
                return Complete(tooLong);
            }
        }
    }

    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        int read = await Task.Run(() => input.Read(_buffer, 0, _buffer.Length), cancellationToken).WaitAsync(cancellationToken);
        _start = 0;
        _end = read;
        return read;
    }

    private InputLine Complete(bool tooLong)
    {
        _number++;
        var line = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        if (line.EndsWith((byte)'\r'))
        {
            line = line[..^1];
        }

        if (_number == 1 && line.StartsWith(ByteOrderMark))
        {
            line = line[ByteOrderMark.Length..]; // some editors put one first
        }

        if (tooLong || line.Length > maxLineLength)
        {
            return new InputLine(_number, "", InputProblem.TooLong);
        }

        return Utf8.IsValid(line) ? new InputLine(_number, Encoding.UTF8.GetString(line)) : new InputLine(_number, "", InputProblem.InvalidUtf8);
    }
}
