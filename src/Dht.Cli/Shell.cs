// The node's command shell: reads one command per line, runs it against the node, and goes on after any
// error. Piped input runs concurrently under CommandScheduler's ordering rule; a terminal runs one command at
// a time through the line editor. At the end of input it returns, so piped scripts end the process.
using Dht.Cli.Input;
using Dht.Crypto;

namespace Dht.Cli;

/// <summary>A line-oriented command interpreter over a <see cref="DhtNode"/>.</summary>
internal sealed class Shell
{
    /// <summary>An unknown command is echoed back at most this long, so a runaway line is not.</summary>
    private const int EchoLength = 32;

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly ShellOptions _options;
    private readonly Dictionary<string, ShellCommand> _commands = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="node">The node the commands run against.</param>
    /// <param name="output">Where answers are written.</param>
    /// <param name="error">Where refusals and errors are written.</param>
    /// <param name="options">Limits; the defaults when null.</param>
    /// <param name="signingKey">The key pair for <c>put --signed</c>; the node's own when null.</param>
    public Shell(DhtNode node, TextWriter output, TextWriter error, ShellOptions? options = null, Ed25519KeyPair? signingKey = null)
    {
        _output = output;
        _error = error;
        _options = options ?? new ShellOptions();
        Add(new ShellCommand("help", "", "list commands", _ => ShellInvocation.Print(Help)));
        foreach (var command in new NodeShellCommands(node, signingKey ?? node.SigningKey, _options).All)
        {
            Add(command);
        }

        Add(new ShellCommand("quit", "", "stop the node and exit", _ => ShellInvocation.Exclusive((_, _) => Task.FromResult(false))));
        _commands["exit"] = _commands["quit"];
        _commands["--help"] = _commands["help"];
        _commands["-h"] = _commands["help"];
    }

    /// <summary>Registers a command (later ones replace earlier ones of the same name).</summary>
    public void Add(ShellCommand command) => _commands[command.Name] = command;

    /// <summary>Runs piped lines concurrently (see <see cref="CommandScheduler"/>) until quit or the end of input.</summary>
    public async Task RunConcurrentAsync(ILineSource lines, CancellationToken cancellationToken)
    {
        var scheduler = new CommandScheduler(_options.Parallelism, _output, _error, cancellationToken);
        try
        {
            while (await ReadAsync(lines, cancellationToken) is { } line && await scheduler.SubmitAsync(Prepare(line)))
            {
            }
        }
        finally
        {
            // Whatever stopped the reading, what was started is finished and printed in order.
            await scheduler.CompleteAsync();
        }
    }

    /// <summary>Runs lines one at a time, each printed before the next is read, until quit or the end of input.</summary>
    public async Task RunSequentialAsync(ILineSource lines, CancellationToken cancellationToken)
    {
        while (await ReadAsync(lines, cancellationToken) is { } line)
        {
            if (!await RunAsync(Prepare(line), cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Runs one line and prints its output; returns false when the shell should stop.</summary>
    public Task<bool> ExecuteAsync(string line, CancellationToken cancellationToken) => RunAsync(Prepare(line), cancellationToken);

    /// <summary>Parses a line into what runs: the command, or the message that refuses it.</summary>
    public ShellInvocation Prepare(InputLine line) => line.Problem switch
    {
        InputProblem.InvalidUtf8 => ShellInvocation.Refuse($"Error: line {line.Number} is not valid UTF-8; refused"),
        InputProblem.TooLong => ShellInvocation.Refuse($"Error: line {line.Number} is longer than {_options.MaxLineLength} bytes; refused"),
        _ => Prepare(line.Text),
    };

    /// <inheritdoc cref="Prepare(InputLine)"/>
    public ShellInvocation Prepare(string line)
    {
        var reader = new ArgumentReader(line);
        if (!reader.TryReadWord(out var name, out _) || name is null || (!name.Quoted && name.Text.StartsWith('#')))
        {
            return ShellInvocation.Print(_ => { }); // an empty line or a comment
        }

        return _commands.TryGetValue(name.Text, out var command)
            ? command.Prepare(reader)
            : ShellInvocation.Refuse($"Unknown command: {Echo(name.Text)}. Type 'help' for the list of commands.");
    }

    /// <summary>Runs a command, turning an expected failure into a message; returns false when the shell should stop.</summary>
    internal static async Task<bool> RunGuardedAsync(ShellInvocation invocation, CommandOutput output, CancellationToken cancellationToken)
    {
        try
        {
            return await invocation.Run(output, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or TimeoutException)
        {
            output.Error($"Error: {ex.Message}");
            return true;
        }
    }

    private async Task<bool> RunAsync(ShellInvocation invocation, CancellationToken cancellationToken)
    {
        var output = new CommandOutput();
        bool goOn = await RunGuardedAsync(invocation, output, cancellationToken);
        await output.WriteToAsync(_output, _error);
        return goOn;
    }

    private static async Task<InputLine?> ReadAsync(ILineSource lines, CancellationToken cancellationToken)
    {
        try
        {
            return cancellationToken.IsCancellationRequested ? null : await lines.ReadLineAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private void Help(CommandOutput output)
    {
        output.Line("Commands:");
        foreach (var c in _commands.Values.Distinct().OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            string left = c.Usage.Length == 0 ? c.Name : $"{c.Name} {c.Usage}";
            output.Line($"  {left,-36} {c.Summary}");
        }
    }

    /// <summary>At most <see cref="EchoLength"/> characters of what the user typed, never half a surrogate pair.</summary>
    internal static string Echo(string text)
    {
        if (text.Length <= EchoLength)
        {
            return text;
        }

        int cut = char.IsHighSurrogate(text[EchoLength - 1]) ? EchoLength - 1 : EchoLength;
        return $"{text[..cut]}… ({text.Length} characters)";
    }
}
