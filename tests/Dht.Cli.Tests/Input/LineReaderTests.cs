using System.Text;
using Dht.Cli.Input;

namespace Dht.Cli.Tests.Input;

/// <summary>How piped input becomes lines: line ends, the length bound, invalid UTF-8.</summary>
public sealed class LineReaderTests
{
    [Fact]
    public async Task Lines_LoseTheirLineEnds_LfOrCrLf_AndTheLastNeedsNone()
    {
        var lines = await ReadAllAsync("one\ntwo\r\n\nthree");

        Assert.Equal(["one", "two", "", "three"], lines.Select(l => l.Text));
        Assert.Equal([1, 2, 3, 4], lines.Select(l => l.Number));
    }

    [Fact]
    public async Task EmptyInput_HasNoLines()
    {
        Assert.Empty(await ReadAllAsync(""));
    }

    [Fact]
    public async Task SpacesAreKept()
    {
        var lines = await ReadAllAsync("  put k  v  \n");

        Assert.Equal("  put k  v  ", lines.Single().Text);
    }

    [Fact]
    public async Task ByteOrderMark_OnTheFirstLine_IsDropped()
    {
        var lines = await ReadAllAsync([0xEF, 0xBB, 0xBF, .. "status\n"u8]);

        Assert.Equal("status", lines.Single().Text);
    }

    [Fact]
    public async Task InvalidUtf8_IsRefused_AndTheNextLineIsRead()
    {
        var lines = await ReadAllAsync([.. "put k "u8, 0xFF, 0xFE, (byte)'\n', .. "put k é\n"u8]);

        Assert.Equal(InputProblem.InvalidUtf8, lines[0].Problem);
        Assert.Equal("", lines[0].Text);
        Assert.Equal((InputProblem.None, "put k é"), (lines[1].Problem, lines[1].Text));
    }

    [Fact]
    public async Task TruncatedSequence_AtTheEndOfALine_IsInvalid()
    {
        var lines = await ReadAllAsync([.. "get "u8, 0xC3, (byte)'\n']);

        Assert.Equal(InputProblem.InvalidUtf8, lines.Single().Problem);
    }

    [Fact]
    public async Task LineOverTheLimit_IsRefused_AndTheNextLineIsRead()
    {
        // Much longer than the reader's buffer, so the bound holds across reads.
        string script = $"{new string('x', 100)}\n{new string('y', 101)}\n{new string('z', 1_000_000)}\nstatus\n";

        var lines = await ReadAllAsync(script, maxLineLength: 100);

        Assert.Equal([InputProblem.None, InputProblem.TooLong, InputProblem.TooLong, InputProblem.None], lines.Select(l => l.Problem));
        Assert.Equal("status", lines[3].Text);
    }

    [Fact]
    public async Task CrLf_DoesNotCountAgainstTheLimit()
    {
        var lines = await ReadAllAsync($"{new string('x', 100)}\r\n", maxLineLength: 100);

        Assert.Equal(InputProblem.None, lines.Single().Problem);
    }

    [Fact]
    public async Task LongLine_IsNotKept()
    {
        // A stream that never ends a line: the reader must skip it in bounded memory, so the test just sees it refused.
        var lines = await ReadAllAsync(new string('x', 5_000_000), maxLineLength: 16);

        Assert.Equal(InputProblem.TooLong, lines.Single().Problem);
    }

    private static Task<List<InputLine>> ReadAllAsync(string text, int maxLineLength = 1000) =>
        ReadAllAsync(Encoding.UTF8.GetBytes(text), maxLineLength);

    private static async Task<List<InputLine>> ReadAllAsync(byte[] bytes, int maxLineLength = 1000)
    {
        var reader = new LineReader(new MemoryStream(bytes), maxLineLength);
        var lines = new List<InputLine>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
