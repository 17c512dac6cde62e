namespace Dht.Cli;

/// <summary>
/// What one shell command prints, kept until it is its turn: lines for standard output (answers) and for
/// standard error (refusals and errors), replayed in the order they were written.
/// </summary>
internal sealed class CommandOutput
{
    private readonly List<(bool IsError, string Text)> _lines = [];

    /// <summary>An answer, for standard output.</summary>
    public void Line(string text) => _lines.Add((false, text));

    /// <summary>A refusal or an error, for standard error.</summary>
    public void Error(string text) => _lines.Add((true, text));

    /// <summary>Everything written, in order, without telling the two kinds apart (for tests and messages).</summary>
    public IEnumerable<string> Lines => _lines.Select(l => l.Text);

    public async Task WriteToAsync(TextWriter output, TextWriter error)
    {
        foreach (var (isError, text) in _lines)
        {
            await (isError ? error : output).WriteLineAsync(text);
        }

        await output.FlushAsync();
        await error.FlushAsync();
    }
}
