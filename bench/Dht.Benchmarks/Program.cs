// Entry point: BenchmarkDotNet's switcher over every benchmark in this assembly, or --smoke to call each
// benchmark method directly and exit, which proves the benchmarks still build and run without measuring.
using BenchmarkDotNet.Running;
using Dht.Benchmarks;

if (args.Contains("--smoke", StringComparer.Ordinal))
{
    return SmokeRunner.Run(typeof(Program).Assembly, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
return 0;
