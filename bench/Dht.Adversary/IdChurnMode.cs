// idchurn: one address that sends pings with a new node id every time, against a node that keeps its state in
// SQLite and holds many named values, while a separate peer on 127.0.0.1 pings it every 10 ms. The values are
// loaded first by durable stores from 20 sources (127.20.0.1 upwards; read-only, so the node never adds them
// as contacts). The churner (127.30.0.1) claims our client version, so the node takes it for a node that
// serves named values, and never answers anything. Measured: the node's CPU over the churn and the pinger's
// round trips. docs/SECURITY.md quotes the results.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>The id-churn run.</summary>
internal static class IdChurnMode
{
    private const int LoadSources = 20;

    public static async Task<int> RunAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        int values = args.Int("values", 5000);
        int rate = args.Int("rate", 400);
        bool fixedId = args.Text("ids", "new") == "fixed"; // the baseline: the same pings from one id
        var duration = TimeSpan.FromSeconds(args.Int("duration", 10));
        string? json = args.Optional("json");
        string executable = args.NodeExecutable();
        string dataDirectory = Directory.CreateTempSubdirectory("dht-idchurn-").FullName;
        Console.WriteLine($"idchurn: {values} values held (SQLite), {rate} pings/s with {(fixedId ? "one id" : "a new id each")} from one address, {duration.TotalSeconds} s; node {executable}");
        try
        {
            await using var node = await NodeProcess.StartAsync(executable, args.Int("port", 0), args.NodeArguments, dataDirectory, cancellationToken);
            int keysPerSource = (values + LoadSources - 1) / LoadSources;
            using (var sources = new StoreSources(node.EndPoint, LoadSources, keysPerSource, 100, keysPerSource * LoadSources))
            {
                await sources.FetchTokensAsync(cancellationToken);
                var pacer = new Pacer(2000);
                while (sources.SendNext())
                {
                    pacer.WaitTurn();
                }

                for (int wait = 0; wait < 100 && sources.Acknowledged + sources.Refused < sources.Sent; wait++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                }

                Console.WriteLine($"loaded: {sources.Acknowledged} of {sources.Sent} stores acknowledged, {sources.Refused} refused");
            }

            using var churner = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 2048 };
            churner.Bind(new IPEndPoint(new IPAddress([127, 30, 0, 1]), 0));
            var random = new Random(args.Int("seed", 1));
            var churnerId = NodeId.CreateRandom(random);
            using var pinger = new Pinger(node.EndPoint, TimeSpan.FromMilliseconds(10));
            var sampler = new Sampler(node, pinger);
            long sent = 0;
            var clock = Stopwatch.StartNew();
            var cpuBefore = node.CpuTime();
            var sender = new Thread(() =>
            {
                var pacer = new Pacer(rate);
                while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested && !node.HasExited)
                {
                    pacer.WaitTurn();
                    byte[] ping = KrpcBytes.Query(KrpcMethod.Ping, "ch"u8, fixedId ? churnerId : NodeId.CreateRandom(random), m =>
                    {
                        m.ClientVersion = new byte[] { (byte)'K', (byte)'V', 0, 1 };
                        m.Fields |= KrpcFields.ClientVersion;
                    });
                    churner.SendTo(ping, SocketFlags.None, node.EndPoint);
                    Volatile.Write(ref sent, sent + 1);
                }
            })
            { IsBackground = true, Name = "idchurn-send" };
            await sampler.RunAsync(sender, clock, () => string.Create(CultureInfo.InvariantCulture, $"sent {Volatile.Read(ref sent),7}"));
            var elapsed = clock.Elapsed;
            var cpu = node.CpuTime() - cpuBefore;
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None); // late pongs
            bool alive = !node.HasExited;
            var ping = pinger.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"idchurn: {sent} pings with {(fixedId ? "one id" : "new ids")} in {elapsed.TotalSeconds:0.0} s; node CPU {cpu.TotalSeconds:0.00} s ({100 * cpu.TotalSeconds / elapsed.TotalSeconds:0.0} % of a core)"));
            Console.WriteLine(ping);
            Console.WriteLine(alive ? "node: alive" : $"node: EXITED with {node.ExitCode}\n{node.StandardErrorTail}");
            if (json is not null)
            {
                await File.AppendAllTextAsync(json, string.Create(CultureInfo.InvariantCulture,
                    $"{{\"mode\":\"idchurn\",\"node\":\"{executable}\",\"values\":{values},\"rate\":{rate},\"ids\":\"{(fixedId ? "fixed" : "new")}\",\"sent\":{sent},\"seconds\":{elapsed.TotalSeconds:0.0}," +
                    $"\"node_cpu_s\":{cpu.TotalSeconds:0.00},\"alive\":{(alive ? "true" : "false")},\"ping\":{ping.ToJson()}}}\n"), CancellationToken.None);
            }

            return alive ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
