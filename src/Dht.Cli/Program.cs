using System.Runtime.InteropServices;
using Dht.Cli;
using Dht.Cli.Editing;

// Ctrl+C and SIGTERM cancel the command so the node shuts down cleanly. The handlers are registered before
// anything runs, so no early signal kills the process outright; a second signal, though, does.
using var stop = new CancellationTokenSource();
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
bool terminalInput = !Console.IsInputRedirected;
var context = new CliContext(Console.OpenStandardInput(), Console.Out, Console.Error, Environment.GetEnvironmentVariables())
{
    InputIsTerminal = terminalInput,
    Terminal = terminalInput && !Console.IsOutputRedirected ? new ConsoleTerminal() : null,
};
return await CliApp.RunAsync(args, context, stop.Token);

void OnSignal(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}
