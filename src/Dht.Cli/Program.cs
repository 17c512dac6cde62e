using System.Runtime.InteropServices;
using Dht.Cli;

// Ctrl+C and SIGTERM cancel the command so the node shuts down cleanly. The handlers are registered before
// anything runs, so no early signal kills the process outright; a second signal, though, does.
using var stop = new CancellationTokenSource();
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await CliApp.RunAsync(args, Console.In, Console.Out, Console.Error, stop.Token);

void OnSignal(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}
