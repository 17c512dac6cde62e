// Hostile traffic against a live node (the dht command, started here as a child process on 127.0.0.1):
//   fuzz           millions of mutated datagrams, with a legitimate pinger and the node's memory sampled
//   flood          queries from thousands of distinct source addresses (127.x.y.z), with a legitimate pinger
//   amplification  reply bytes over query bytes for every query type, to a never-seen source and sustained
//   idchurn        pings with a new node id each from one address, against a SQLite node holding many values
//   stores         durable stores from many sources into a node's SQLite database, then the database locked
//                  by another process, with a legitimate pinger (docs/BENCHMARKS.md)
// Every mode is bounded in datagrams and time, prints one line per second and a summary, and exits non-zero
// when the node died. docs/SECURITY.md quotes the results (docs/BENCHMARKS.md those of stores).
using Dht.Adversary;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Dht.Adversary fuzz|flood|amplification|idchurn|stores [--node PATH] [--name value ...]  (see docs/SECURITY.md, docs/BENCHMARKS.md)");
    return 2;
}

var options = ToolArguments.Parse(args.AsSpan(1));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return args[0] switch
{
    "fuzz" => await FuzzMode.RunAsync(options, cancel.Token),
    "flood" => await FloodMode.RunAsync(options, cancel.Token),
    "amplification" => await AmplificationMode.RunAsync(options, cancel.Token),
    "idchurn" => await IdChurnMode.RunAsync(options, cancel.Token),
    "stores" => await StoreLoadMode.RunAsync(options, cancel.Token),
    _ => Usage(args[0]),
};

static int Usage(string mode)
{
    Console.Error.WriteLine($"unknown mode '{mode}': fuzz, flood, amplification, idchurn or stores");
    return 2;
}
