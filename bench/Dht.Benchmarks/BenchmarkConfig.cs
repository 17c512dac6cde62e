// The configuration every benchmark runs under: a short job (the whole set finishes in a few minutes on a
// two-core machine), allocation counts, and GitHub-flavoured markdown tables that docs/BENCHMARKS.md quotes.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;

namespace Dht.Benchmarks;

/// <summary>Builds the benchmark configuration.</summary>
internal static class BenchmarkConfig
{
    /// <summary>
    /// Three warm-up and five measured iterations in one process: enough to tell nanoseconds from tens of
    /// nanoseconds and to count allocations exactly, not enough to chase single-digit percentages.
    /// </summary>
    public static IConfig Create() =>
        ManualConfig.CreateEmpty()
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(5)
                .WithId("Short"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .AddAnalyser([.. DefaultConfig.Instance.GetAnalysers()])
            .AddValidator([.. DefaultConfig.Instance.GetValidators()]);
}
