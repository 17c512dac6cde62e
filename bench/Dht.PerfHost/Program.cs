// Runs our node for the side-by-side performance comparison (bench/compare.sh):
//
//   serve   --port P [--contacts N] [--seconds S]    one node on 127.0.0.1:P, warmed with N contact nodes in
//           [--own-receive-threads 1]                 the same process, its per-IP rate limit raised (as for
//                                                     libtorrent); prints a ready line, then one stats line a second
//   e2e     [--nodes 50] [--items 600] [--seed N]     a loopback network in one process; BEP 44 immutable puts, then
//           [--warmup-seconds 3]                      gets from other nodes, after an untimed warm-up; prints
//           [--own-receive-threads 1]                 latency percentiles (1: a receive thread per node instead
//                                                     of the process's shared one)
//   departures [--nodes 50] [--ops 200]               the same network: BEP 44 and named puts and gets from the
//           [--leave-percent 25] [--warmup-seconds 3] nodes in turn, all alive; then a quarter leave silently and
//                                                     the survivors do it again at once, and once more
//   inproc  [--query ping|find_node|get] [--count N]  the packet path without a socket: datagrams handed straight
//                                                     to the node, time and managed bytes allocated per query
//
// Every mode is bounded in time and stops by itself.
using System.Globalization;

namespace Dht.PerfHost;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: Dht.PerfHost serve|e2e|departures|inproc [options]  (see Program.cs)");
            return 2;
        }

        var options = HostArguments.Parse(args.AsSpan(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(options.Int("seconds", 1800)));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            c =>
            {
                c.Cancel = true;
                cts.Cancel();
            });

        return args[0] switch
        {
            "serve" => await ServeMode.RunAsync(options, cts.Token),
            "e2e" => await EndToEndMode.RunAsync(options, cts.Token),
            "departures" => await DeparturesMode.RunAsync(options, cts.Token),
            "inproc" => InProcessMode.Run(options),
            _ => Fail(args[0]),
        };
    }

    private static int Fail(string mode)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"unknown mode '{mode}'"));
        return 2;
    }
}
