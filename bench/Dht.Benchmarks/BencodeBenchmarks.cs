// Decode and encode of the KRPC messages a node handles most: the packet path's cost per datagram.
//
// Decoding reuses one KrpcMessage, as the node does, so the allocation column shows what parsing itself
// allocates (the target is nothing). Encoding reuses one ArrayBufferWriter, so it shows the writer's cost
// alone. The datagrams are produced by the library's own writer and checked to parse back in setup.
using System.Buffers;
using BenchmarkDotNet.Attributes;
using Dht.Protocol;
using Dht.Protocol.Bencode;
using Dht.Protocol.Krpc;

namespace Dht.Benchmarks;

/// <summary>KRPC decode (KrpcParser), encode (KrpcWriter) and a raw BencodeReader walk.</summary>
[MemoryDiagnoser]
public class BencodeBenchmarks
{
    private const int Seed = 5;

    private readonly KrpcMessage _decoded = new();
    private readonly ArrayBufferWriter<byte> _output = new(1500);

    private KrpcMessage _pingQuery = null!;
    private KrpcMessage _findNodeQuery = null!;
    private KrpcMessage _findNodeResponse = null!;
    private KrpcMessage _getPeersResponse = null!;
    private KrpcMessage _error = null!;

    private byte[] _pingQueryBytes = [];
    private byte[] _findNodeQueryBytes = [];
    private byte[] _findNodeResponseBytes = [];
    private byte[] _getPeersResponseBytes = [];
    private byte[] _errorBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Seed);
        var self = NodeId.CreateRandom(random);
        byte[] transaction = [0x61, 0x61];
        byte[] version = "LT\x01\x02"u8.ToArray();

        _pingQuery = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = KrpcMethod.Ping,
            TransactionId = transaction,
            Id = self,
            Fields = KrpcFields.Id,
        };

        _findNodeQuery = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = KrpcMethod.FindNode,
            TransactionId = transaction,
            ClientVersion = version,
            Id = self,
            Target = NodeId.CreateRandom(random),
            Fields = KrpcFields.Id | KrpcFields.Target | KrpcFields.ClientVersion,
        };

        var nodes = new byte[8 * CompactEncoding.NodeV4Size];
        for (int i = 0; i < 8; i++)
        {
            CompactEncoding.WriteNode(
                new NodeInfo(NodeId.CreateRandom(random), RandomEndPoint(random)),
                nodes.AsSpan(i * CompactEncoding.NodeV4Size));
        }

        byte[] external = new byte[CompactEncoding.PeerV4Size];
        CompactEncoding.WritePeer(RandomEndPoint(random), external);
        _findNodeResponse = new KrpcMessage
        {
            Kind = KrpcMessageKind.Response,
            TransactionId = transaction,
            ClientVersion = version,
            ExternalAddress = external,
            Id = self,
            Nodes = nodes,
            Fields = KrpcFields.Id | KrpcFields.Nodes | KrpcFields.ClientVersion | KrpcFields.ExternalAddress,
        };

        var peers = new NetEndPoint[50];
        for (int i = 0; i < peers.Length; i++)
        {
            peers[i] = RandomEndPoint(random);
        }

        var values = new ArrayBufferWriter<byte>();
        KrpcLists.WritePeers(peers, values);
        var token = new byte[20];
        random.NextBytes(token);
        _getPeersResponse = new KrpcMessage
        {
            Kind = KrpcMessageKind.Response,
            TransactionId = transaction,
            ClientVersion = version,
            Id = self,
            Token = token,
            Values = values.WrittenMemory.ToArray(),
            Fields = KrpcFields.Id | KrpcFields.Token | KrpcFields.Values | KrpcFields.ClientVersion,
        };

        _error = new KrpcMessage
        {
            Kind = KrpcMessageKind.Error,
            TransactionId = transaction,
            ErrorCode = KrpcErrorCode.Generic,
            ErrorMessage = "A Generic Error Ocurred"u8.ToArray(),
        };

        _pingQueryBytes = Encode(_pingQuery);
        _findNodeQueryBytes = Encode(_findNodeQuery);
        _findNodeResponseBytes = Encode(_findNodeResponse);
        _getPeersResponseBytes = Encode(_getPeersResponse);
        _errorBytes = Encode(_error);
    }

    [Benchmark]
    public int Decode_PingQuery() => (int)KrpcParser.Parse(_pingQueryBytes, _decoded).Status; // an int: the parser\'s types are internal

    [Benchmark]
    public int Decode_FindNodeQuery() => (int)KrpcParser.Parse(_findNodeQueryBytes, _decoded).Status; // an int: the parser\'s types are internal

    [Benchmark]
    public int Decode_FindNodeResponse8Nodes() => (int)KrpcParser.Parse(_findNodeResponseBytes, _decoded).Status; // an int: the parser\'s types are internal

    [Benchmark]
    public int Decode_GetPeersResponse50Values() => (int)KrpcParser.Parse(_getPeersResponseBytes, _decoded).Status; // an int: the parser\'s types are internal

    [Benchmark]
    public int Decode_Error() => (int)KrpcParser.Parse(_errorBytes, _decoded).Status; // an int: the parser\'s types are internal

    [Benchmark]
    public int Encode_PingQuery() => Write(_pingQuery);

    [Benchmark]
    public int Encode_FindNodeQuery() => Write(_findNodeQuery);

    [Benchmark]
    public int Encode_FindNodeResponse8Nodes() => Write(_findNodeResponse);

    [Benchmark]
    public int Encode_GetPeersResponse50Values() => Write(_getPeersResponse);

    [Benchmark]
    public int Encode_Error() => Write(_error);

    /// <summary>Every token of the find_node response, without KRPC's interpretation on top.</summary>
    [Benchmark]
    public int BencodeReader_WalkFindNodeResponse()
    {
        var reader = new BencodeReader(_findNodeResponseBytes);
        int tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return reader.IsComplete ? tokens : -1;
    }

    private int Write(KrpcMessage message)
    {
        _output.ResetWrittenCount();
        KrpcWriter.Write(message, _output);
        return _output.WrittenCount;
    }

    private byte[] Encode(KrpcMessage message)
    {
        Write(message);
        var bytes = _output.WrittenSpan.ToArray();
        var result = KrpcParser.Parse(bytes, _decoded);
        if (!result.IsOk)
        {
            throw new InvalidOperationException($"Benchmark datagram does not parse: {result.Reason}");
        }

        return bytes;
    }

    private static NetEndPoint RandomEndPoint(Random random) =>
        NetEndPoint.FromIPv4((uint)random.Next(0x01000000, int.MaxValue), (ushort)random.Next(1024, 65536));
}
