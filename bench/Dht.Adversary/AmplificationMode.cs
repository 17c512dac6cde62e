// amplification: for every query type, the bytes of the answer over the bytes of the query, sent by a
// source the node has never seen (a fresh 127.x address each time); then the same query repeated at a
// steady rate from one more fresh source, as a reflector attack would (the "victim" here is our socket).
// The node first gets sixteen contacts that answer it, a stored 1000-byte BEP 44 item, a stored 1000-byte
// named value, and fifty peers announced for one info-hash.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Adversary;

/// <summary>The amplification table.</summary>
internal static class AmplificationMode
{
    private static readonly NodeId Me = NodeId.FromKey("amplification-probe");

    public static async Task<int> RunAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        int rate = args.Int("sustained-rate", 200);
        int seconds = args.Int("sustained-seconds", 5);
        string? json = args.Optional("json");
        var responders = Enumerable.Range(1, 16).Select(i => new Responder(new IPAddress([127, 30, 0, (byte)i]), NodeId.CreateRandom())).ToList();
        byte[] nodes = new byte[8 * CompactEncoding.NodeV4Size];
        for (int i = 0; i < 8; i++)
        {
            CompactEncoding.WriteNode(new NodeInfo(responders[i].Id, NetEndPoint.FromIPEndPoint(responders[i].EndPoint)), nodes.AsSpan(i * CompactEncoding.NodeV4Size));
        }

        responders.ForEach(r => r.Start(nodes));
        var nodeArguments = new List<string> { "--bootstrap", $"127.30.0.1:{responders[0].EndPoint.Port}" };
        nodeArguments.AddRange(args.NodeArguments);
        await using var node = await NodeProcess.StartAsync(args.NodeExecutable(), args.Int("port", 0), nodeArguments, cancellationToken);
        var joined = Stopwatch.StartNew();
        while (responders.Count(r => r.Answered > 0) < 12 && joined.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100, cancellationToken);
        }

        Console.WriteLine($"{responders.Count(r => r.Answered > 0)} of 16 contacts queried by the node");
        byte[] value = new byte[1000];
        Encoding.ASCII.GetBytes("996:").CopyTo(value, 0);
        value.AsSpan(4).Fill((byte)'v');
        var itemTarget = NodeId.Sha1(value);
        var named = NodeId.FromKey("amplification");
        var swarm = NodeId.FromKey("swarm");
        Setup(node, itemTarget, named, swarm, value);

        var cases = Cases(itemTarget, named, swarm, value);
        var rows = new List<string>();
        var table = new StringBuilder("| query | query bytes | reply bytes | factor | sustained: sent | answered | reply/query bytes |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        int index = 0;
        foreach (var c in cases)
        {
            index++;
            using var single = Socket(new IPAddress([127, 40, (byte)index, 1]));
            byte[]? state = c.Prepare?.Invoke(q => Exchange(single, node.EndPoint, q));
            byte[] query = c.Query(state);
            byte[] reply = Exchange(single, node.EndPoint, query) ?? [];
            using var reflector = Socket(new IPAddress([127, 41, (byte)index, 1]));
            byte[]? reflectorState = c.Prepare?.Invoke(q => Exchange(reflector, node.EndPoint, q));
            var (sent, answered, sentBytes, replyBytes) = Sustain(reflector, node.EndPoint, c.Query(reflectorState), rate, seconds);
            double factor = query.Length == 0 ? 0 : reply.Length / (double)query.Length;
            double sustained = sentBytes == 0 ? 0 : replyBytes / (double)sentBytes;
            table.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {query.Length} | {reply.Length} | {factor:0.0} | {sent} | {answered} | {sustained:0.0} |\n");
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"{{\"query\":\"{c.Name}\",\"query_bytes\":{query.Length},\"reply_bytes\":{reply.Length},\"sustained_sent\":{sent},\"sustained_answered\":{answered},\"sustained_query_bytes\":{sentBytes},\"sustained_reply_bytes\":{replyBytes}}}"));
        }

        Console.WriteLine($"sustained: {rate} queries/s for {seconds} s from one source\n");
        Console.Write(table);
        if (json is not null)
        {
            await File.AppendAllTextAsync(json, $"{{\"mode\":\"amplification\",\"rate\":{rate},\"seconds\":{seconds},\"rows\":[{string.Join(',', rows)}]}}\n", CancellationToken.None);
        }

        responders.ForEach(r => r.Dispose());
        return node.HasExited ? 1 : 0;
    }

    private static List<AmplificationCase> Cases(NodeId itemTarget, NodeId named, NodeId swarm, byte[] value)
    {
        static byte[] Q(KrpcMethod method, Action<KrpcMessage>? arguments = null) => KrpcBytes.Query(method, "aa"u8, Me, arguments);
        static byte[]? TokenOf(byte[]? reply)
        {
            var m = new KrpcMessage();
            return reply is not null && KrpcParser.Parse(reply, m).IsOk && m.Has(KrpcFields.Token) ? m.Token.ToArray() : null;
        }

        var random = NodeId.FromKey("nothing here");
        return
        [
            new("ping", null, _ => Q(KrpcMethod.Ping)),
            new("find_node", null, _ => Q(KrpcMethod.FindNode, m => Target(m, random))),
            new("get_peers, no peers", null, _ => Q(KrpcMethod.GetPeers, m => InfoHash(m, random))),
            new("get_peers, 50 peers", null, _ => Q(KrpcMethod.GetPeers, m => InfoHash(m, swarm))),
            new("announce_peer", x => TokenOf(x(Q(KrpcMethod.GetPeers, m => InfoHash(m, swarm)))), token => Q(KrpcMethod.AnnouncePeer, m =>
            {
                InfoHash(m, swarm);
                (m.Token, m.Port) = (token ?? [], 6881);
                m.Fields |= KrpcFields.Token | KrpcFields.Port;
            })),
            new("BEP 44 get, 1000-byte item", null, _ => Q(KrpcMethod.Get, m => Target(m, itemTarget))),
            new("BEP 44 get, missing", null, _ => Q(KrpcMethod.Get, m => Target(m, random))),
            new("BEP 44 put, 1000-byte item", x => TokenOf(x(Q(KrpcMethod.Get, m => Target(m, itemTarget)))), token => Q(KrpcMethod.Put, m =>
            {
                (m.Token, m.Value) = (token ?? [], value);
                m.Fields |= KrpcFields.Token | KrpcFields.Value;
            })),
            new("find_value, 1000-byte value", null, _ => Q(NamedValueMethods.FindValue, m => Target(m, named))),
            new("find_value, missing", null, _ => Q(NamedValueMethods.FindValue, m => Target(m, random))),
            new("store, 1000-byte value", x => TokenOf(x(Q(NamedValueMethods.FindValue, m => Target(m, named)))), token => Q(NamedValueMethods.Store, m =>
            {
                Target(m, named);
                (m.Token, m.Value, m.Seq) = (token ?? [], value, 1);
                m.Fields |= KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq;
            })),
            new("unknown method (error 204)", null, _ => Encoding.ASCII.GetBytes($"d1:ad2:id20:{new string('i', 20)}e1:q4:vote1:t2:aa1:y1:qe")),
            new("malformed query (error 203)", null, _ => Encoding.ASCII.GetBytes($"d1:ad2:id19:{new string('i', 19)}e1:q4:ping1:t2:aa1:y1:qe")),
            new("no transaction id", null, _ => Encoding.ASCII.GetBytes($"d1:ad2:id20:{new string('i', 20)}e1:q4:ping1:y1:qe")),
            new("empty datagram", null, _ => []),
        ];
    }

    private static void Target(KrpcMessage m, NodeId target)
    {
        m.Target = target;
        m.Fields |= KrpcFields.Target;
    }

    private static void InfoHash(KrpcMessage m, NodeId infoHash)
    {
        m.InfoHash = infoHash;
        m.Fields |= KrpcFields.InfoHash;
    }

    private static void Setup(NodeProcess node, NodeId itemTarget, NodeId named, NodeId swarm, byte[] value)
    {
        using var owner = Socket(new IPAddress([127, 31, 0, 1]));
        var m = new KrpcMessage();
        byte[] Token(byte[]? reply) => reply is not null && KrpcParser.Parse(reply, m).IsOk && m.Has(KrpcFields.Token) ? m.Token.ToArray() : [];
        byte[] token = Token(Exchange(owner, node.EndPoint, KrpcBytes.Query(KrpcMethod.Get, "s1"u8, Me, x => Target(x, itemTarget))));
        Report("BEP 44 put", Exchange(owner, node.EndPoint, KrpcBytes.Query(KrpcMethod.Put, "s2"u8, Me, x =>
        {
            (x.Token, x.Value) = (token, value);
            x.Fields |= KrpcFields.Token | KrpcFields.Value;
        })));
        token = Token(Exchange(owner, node.EndPoint, KrpcBytes.Query(NamedValueMethods.FindValue, "s3"u8, Me, x => Target(x, named))));
        Report("store", Exchange(owner, node.EndPoint, KrpcBytes.Query(NamedValueMethods.Store, "s4"u8, Me, x =>
        {
            Target(x, named);
            (x.Token, x.Value, x.Seq) = (token, value, 1);
            x.Fields |= KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq;
        })));
        for (int i = 1; i <= 50; i++)
        {
            using var peer = Socket(new IPAddress([127, 32, 0, (byte)i]));
            token = Token(Exchange(peer, node.EndPoint, KrpcBytes.Query(KrpcMethod.GetPeers, "s5"u8, NodeId.CreateRandom(), x => InfoHash(x, swarm))));
            Exchange(peer, node.EndPoint, KrpcBytes.Query(KrpcMethod.AnnouncePeer, "s6"u8, NodeId.CreateRandom(), x =>
            {
                InfoHash(x, swarm);
                (x.Token, x.Port) = (token, 6881);
                x.Fields |= KrpcFields.Token | KrpcFields.Port;
            }));
        }
    }

    private static void Report(string what, byte[]? reply)
    {
        var m = new KrpcMessage();
        bool ok = reply is not null && KrpcParser.Parse(reply, m).IsOk && m.Kind == KrpcMessageKind.Response;
        Console.WriteLine($"setup {what}: {(ok ? "stored" : "NOT stored")}");
    }

    private static Socket Socket(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    /// <summary>Sends one datagram and returns the first answer within a second, or null.</summary>
    private static byte[]? Exchange(Socket socket, IPEndPoint node, byte[] query)
    {
        socket.SendTo(query, node);
        byte[] buffer = new byte[65_536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        socket.ReceiveTimeout = 1000;
        while (true)
        {
            try
            {
                int n = socket.ReceiveFrom(buffer, ref from);
                if (from.Equals(node))
                {
                    return buffer[..n];
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                return null;
            }
        }
    }

    /// <summary>Sends <paramref name="query"/> at <paramref name="rate"/> per second for <paramref name="seconds"/> s; counts what came back.</summary>
    private static (int Sent, int Answered, long SentBytes, long ReplyBytes) Sustain(Socket socket, IPEndPoint node, byte[] query, int rate, int seconds)
    {
        int answered = 0;
        long replyBytes = 0;
        socket.ReceiveTimeout = 1000;
        var receiver = new Thread(() =>
        {
            byte[] buffer = new byte[65_536];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                try
                {
                    int n = socket.ReceiveFrom(buffer, ref from);
                    if (from.Equals(node))
                    {
                        answered++;
                        replyBytes += n;
                    }
                }
                catch (SocketException)
                {
                    return;
                }
            }
        });
        receiver.Start();
        int total = rate * seconds, sent = 0;
        var clock = Stopwatch.StartNew();
        while (sent < total)
        {
            if (sent >= clock.Elapsed.TotalSeconds * rate)
            {
                Thread.Sleep(1);
                continue;
            }

            socket.SendTo(query, node);
            sent++;
        }

        receiver.Join();
        return (sent, answered, (long)sent * query.Length, replyBytes);
    }
}
