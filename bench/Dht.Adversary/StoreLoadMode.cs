// stores: a node keeping its state in SQLite (its data directory in a fresh temp folder, on the disk) takes
// durable named-value stores with valid tokens from many sources (127.20.0.1 upwards) at a fixed total rate,
// while a separate peer on 127.0.0.1 pings it every 10 ms. The run goes through phases under the same load:
//   warm-up   not the measure: the runtime compiles the hot paths to their optimised tier
//   load      the measure: ping round trips and losses, stores acknowledged and refused, the node's CPU
//   locked    another process (the sqlite3 shell) holds the database's write lock: stores should be refused
//             with KRPC error 202 after the node's busy timeout, and pings go on being answered
//   released  the lock is gone: stores are acknowledged again
// Every store and ping is numbered, so each phase is summed up from exactly the ones sent in it, after late
// answers had time to come in. docs/BENCHMARKS.md quotes the results.
using System.Diagnostics;
using System.Globalization;

namespace Dht.Adversary;

/// <summary>The durable-stores run.</summary>
internal static class StoreLoadMode
{
    // The database file in a node's data directory (SqliteDatabase.FileName).
    private const string DatabaseFile = "dht.db";

    public static async Task<int> RunAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        int sourceCount = args.Int("sources", 40);
        int rate = args.Int("rate", 4000);
        int keys = args.Int("keys", 100);
        int valueSize = args.Int("value-size", 200);
        int lockSeconds = args.Int("lock-seconds", 5);
        string? json = args.Optional("json");
        var phases = new List<(string Name, int Seconds)> { ("warm-up", args.Int("warmup", 5)), ("load", args.Int("duration", 30)) };
        if (lockSeconds > 0)
        {
            phases.Add(("locked", lockSeconds));
            phases.Add(("released", args.Int("after-lock", 5)));
        }

        string? given = args.Optional("data-dir");
        string dataDirectory = given ?? Directory.CreateTempSubdirectory("dht-stores-").FullName;
        string executable = args.NodeExecutable();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stores: {sourceCount} sources, {rate} stores/s in all ({keys} keys each, {valueSize}-byte values), phases {string.Join(", ", phases.Select(p => $"{p.Name} {p.Seconds} s"))}"));
        Console.WriteLine($"node: {executable}, data in {dataDirectory}");
        try
        {
            await using var node = await NodeProcess.StartAsync(executable, args.Int("port", 0), args.NodeArguments, dataDirectory, cancellationToken);
            int capacity = checked(rate * (phases.Sum(p => p.Seconds) + 60));
            using var sources = new StoreSources(node.EndPoint, sourceCount, keys, valueSize, capacity);
            await sources.FetchTokensAsync(cancellationToken);
            using var pinger = new Pinger(node.EndPoint, TimeSpan.FromMilliseconds(10));
            var marks = await RunPhasesAsync(node, sources, pinger, rate, phases, Path.Combine(dataDirectory, DatabaseFile), cancellationToken);

            // Late answers: a second here, and the pinger waits one more.
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            bool alive = !node.HasExited;
            pinger.Stop();
            var results = marks.Select(m => new LoadPhase(
                m.Start.Name,
                Stopwatch.GetElapsedTime(m.Start.At, m.End.At).TotalSeconds,
                m.End.Cpu - m.Start.Cpu,
                m.End.Drops - m.Start.Drops,
                pinger.Summarize(m.Start.Pings, m.End.Pings),
                sources.Summarize(m.Start.Stores, m.End.Stores, m.Start.At))).ToList();
            foreach (var phase in results)
            {
                Console.WriteLine(phase);
            }

            Console.WriteLine(alive ? "node: alive" : $"node: EXITED with {node.ExitCode}\n{node.StandardErrorTail}");
            if (json is not null)
            {
                await File.AppendAllTextAsync(json, string.Create(CultureInfo.InvariantCulture,
                    $"{{\"mode\":\"stores\",\"node\":\"{executable}\",\"sources\":{sourceCount},\"rate\":{rate},\"keys\":{keys},\"value_size\":{valueSize},\"alive\":{(alive ? "true" : "false")}," +
                    $"\"phases\":[{string.Join(',', results.Select(r => r.ToJson()))}]}}\n"), CancellationToken.None);
            }

            return alive ? 0 : 1;
        }
        finally
        {
            if (given is null)
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task<List<(Mark Start, Mark End)>> RunPhasesAsync(
        NodeProcess node, StoreSources sources, Pinger pinger, int rate, List<(string Name, int Seconds)> phases, string database, CancellationToken cancellationToken)
    {
        var sampler = new Sampler(node, pinger);
        bool stopping = false;
        var sender = new Thread(() =>
        {
            var pacer = new Pacer(rate);
            var renewTokens = Stopwatch.StartNew();
            while (!Volatile.Read(ref stopping))
            {
                pacer.WaitTurn();
                if (!sources.SendNext())
                {
                    return;
                }

                if (renewTokens.Elapsed > TimeSpan.FromMinutes(1))
                {
                    sources.RequestTokens();
                    renewTokens.Restart();
                }
            }
        })
        { IsBackground = true, Name = "stores-send" };

        var marks = new List<(Mark, Mark)>();
        DatabaseLocker? locker = null;
        pinger.Start();
        sender.Start();
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var (name, seconds) in phases)
            {
                if (name == "locked")
                {
                    locker = await DatabaseLocker.LockAsync(database, cancellationToken);
                }

                var start = Mark.Take(name, node, sources, pinger);
                var phaseClock = Stopwatch.StartNew();
                long acknowledged = sources.Acknowledged, refused = sources.Refused;
                for (int second = 1; second <= seconds && !node.HasExited; second++)
                {
                    var left = TimeSpan.FromSeconds(second) - phaseClock.Elapsed;
                    if (left > TimeSpan.Zero)
                    {
                        await Task.Delay(left, cancellationToken);
                    }

                    long a = sources.Acknowledged, r = sources.Refused;
                    Console.WriteLine(sampler.Sample(clock.Elapsed.TotalSeconds, string.Create(CultureInfo.InvariantCulture,
                        $"{name,-8} stores acknowledged {a - acknowledged,5}, refused {r - refused,5}")));
                    (acknowledged, refused) = (a, r);
                }

                if (locker is not null)
                {
                    await locker.ReleaseAsync(cancellationToken);
                    await locker.DisposeAsync();
                    locker = null;
                }

                marks.Add((start, Mark.Take(name, node, sources, pinger)));
            }
        }
        finally
        {
            Volatile.Write(ref stopping, true);
            sender.Join();
            if (locker is not null)
            {
                await locker.DisposeAsync();
            }
        }

        return marks;
    }

    /// <summary>Where a phase starts or ends: the numbers of the next store and ping, the node's counters, the time.</summary>
    private sealed record Mark(string Name, long At, int Stores, int Pings, TimeSpan Cpu, long Drops)
    {
        public static Mark Take(string name, NodeProcess node, StoreSources sources, Pinger pinger) =>
            new(name, Stopwatch.GetTimestamp(), sources.Sent, pinger.Sent, node.CpuTime(), node.KernelDrops());
    }
}
