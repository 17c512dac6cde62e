namespace Dht.Cli.Tests;

/// <summary>What one run of the command line produced.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error);
