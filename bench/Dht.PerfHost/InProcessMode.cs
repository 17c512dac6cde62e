using System.Diagnostics;
using System.Globalization;
using Dht.Protocol;
using Dht.Transport;

namespace Dht.PerfHost;

/// <summary>
/// The node's packet path without a socket: prebuilt KRPC queries handed straight to the node's datagram
/// receiver on this thread, so the time and the managed bytes allocated per query are the engine's alone
/// (parse, rate limit, routing-table update, answer, encode), not the kernel's.
/// </summary>
internal static class InProcessMode
{
    public static int Run(HostArguments args)
    {
        string query = args.Text("query", "ping");
        int count = args.Int("count", 1_000_000);
        int warmContacts = args.Int("contacts", 200);
        var transport = new CapturingTransport();
        var options = NodeFactory.Loopback(0, raiseRateLimit: true);
        var node = new DhtNode(options, transport);
        node.StartAsync().GetAwaiter().GetResult();
        var receiver = transport.Receiver ?? throw new InvalidOperationException("the node did not start its transport");
        var random = new Random(7);

        // Warm the routing table the way a network would: find_node queries from many ids and ports, and an
        // answer to the ping the node sends each new querier, so that its contacts are verified and listed in
        // its answers (a node answers with contacts that have answered it, never with mere queriers).
        var id = new byte[20];
        var idsByPort = new Dictionary<ushort, byte[]>();
        transport.CaptureQueries = true;
        for (int i = 0; i < warmContacts; i++)
        {
            random.NextBytes(id);
            var port = (ushort)(20_000 + i);
            idsByPort[port] = id.ToArray();
            var warm = Query("find_node", id, i);
            receiver.OnDatagram(NetEndPoint.FromIPv4(0x7F000001, port), warm.Bytes);
        }

        transport.CaptureQueries = false;
        foreach (var (to, tid) in transport.Queries)
        {
            if (idsByPort.TryGetValue(to.Port, out var contactId))
            {
                receiver.OnDatagram(to, Response(contactId, tid));
            }
        }

        random.NextBytes(id);
        var q = Query(query, id, 0);
        var source = NetEndPoint.FromIPv4(0x7F000001, 40_000);
        var targets = new byte[4096 * 20];
        random.NextBytes(targets);

        void Pass(int n)
        {
            for (int i = 0; i < n; i++)
            {
                if (q.TargetOffset > 0)
                {
                    targets.AsSpan((i & 4095) * 20, 20).CopyTo(q.Bytes.AsSpan(q.TargetOffset));
                }

                q.Bytes[q.TidOffset] = (byte)i;
                q.Bytes[q.TidOffset + 1] = (byte)(i >> 8);
                receiver.OnDatagram(source, q.Bytes);
            }
        }

        Pass(Math.Min(count, 200_000)); // tiering and PGO settle
        long sentBefore = transport.Sent;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int gen0 = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        Pass(count);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long answered = transport.Sent - sentBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"query\":\"{query}\",\"count\":{count},\"answered\":{answered},\"ns_per_query\":{clock.Elapsed.TotalNanoseconds / count:0.0}," +
            $"\"bytes_per_query\":{(double)allocated / count:0.00},\"gen0\":{GC.CollectionCount(0) - gen0},\"reply_bytes\":{transport.LastLength}," +
            $"\"contacts\":{node.GetStatus().Contacts}}}"));
        node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return answered >= count ? 0 : 1;
    }

    private static (byte[] Bytes, int TidOffset, int TargetOffset) Query(string method, byte[] id, int tid)
    {
        var b = new List<byte>();
        void Add(string s) => b.AddRange(System.Text.Encoding.ASCII.GetBytes(s));
        Add("d1:ad2:id20:");
        b.AddRange(id);
        int targetOffset = 0;
        if (method is "find_node" or "get" or "find_value")
        {
            Add("6:target20:");
            targetOffset = b.Count;
            b.AddRange(new byte[20]);
        }
        else if (method == "get_peers")
        {
            Add("9:info_hash20:");
            targetOffset = b.Count;
            b.AddRange(new byte[20]);
        }

        Add(string.Create(CultureInfo.InvariantCulture, $"e1:q{method.Length}:{method}1:t4:"));
        int tidOffset = b.Count;
        b.AddRange([(byte)tid, (byte)(tid >> 8), 0, 0]);
        Add("1:y1:qe");
        return (b.ToArray(), tidOffset, targetOffset);
    }

    /// <summary>Records what the node sends instead of sending it.</summary>
    // d1:rd2:id20:<id>e1:t<n>:<tid>1:y1:re
    private static byte[] Response(byte[] id, byte[] tid)
    {
        var b = new List<byte>();
        void Add(string s) => b.AddRange(System.Text.Encoding.ASCII.GetBytes(s));
        Add("d1:rd2:id20:");
        b.AddRange(id);
        Add($"e1:t{tid.Length}:");
        b.AddRange(tid);
        Add("1:y1:re");
        return b.ToArray();
    }

    private sealed class CapturingTransport : IDatagramTransport
    {
        /// <summary>While true, the transaction id of every query the node sends is kept, with its destination.</summary>
        public bool CaptureQueries { get; set; }

        public List<(NetEndPoint To, byte[] TransactionId)> Queries { get; } = [];

        public IDatagramReceiver? Receiver { get; private set; }

        public long Sent { get; private set; }

        public int LastLength { get; private set; }

        public NetEndPoint LocalEndPoint { get; } = NetEndPoint.FromIPv4(0x7F000001, 6881);

        public void Start(IDatagramReceiver receiver) => Receiver = receiver;

        public void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram)
        {
            Sent++;
            LastLength = datagram.Length;
            if (CaptureQueries && TryReadQueryTransactionId(datagram, out var tid))
            {
                Queries.Add((destination, tid));
            }
        }

        // A query of ours ends "...1:t<n>:<tid>1:v4:....1:y1:qe" (keys sorted); answers and errors end in y=r or y=e.
        private static bool TryReadQueryTransactionId(ReadOnlySpan<byte> datagram, out byte[] tid)
        {
            tid = [];
            if (!datagram.EndsWith("1:y1:qe"u8))
            {
                return false;
            }

            int t = datagram.LastIndexOf("1:t"u8);
            if (t < 0)
            {
                return false;
            }

            int colon = datagram[(t + 3)..].IndexOf((byte)':');
            if (colon <= 0 || !int.TryParse(datagram.Slice(t + 3, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int length))
            {
                return false;
            }

            int start = t + 3 + colon + 1;
            if (start + length > datagram.Length)
            {
                return false;
            }

            tid = datagram.Slice(start, length).ToArray();
            return true;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
