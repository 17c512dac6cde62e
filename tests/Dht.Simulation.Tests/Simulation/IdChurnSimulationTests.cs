using System.Buffers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Simulation;
using Dht.Transport;

namespace Dht.Tests.Simulation;

/// <summary>
/// One address that keeps changing its node id (and claims our client version) against a node that holds values:
/// its new ids do not displace the contact it already is, it is pinged a handful of times in all, and handed
/// nothing, since it never answers.
/// </summary>
public sealed class IdChurnSimulationTests
{
    [Fact]
    public void QueriesWithNewIdsFromOneAddress_ThatNeverAnswer_AreHandedNoValues()
    {
        const int seed = 61;
        var sim = new SimulatedDht(seed);
        sim.Grow(3);
        var holder = sim.Nodes[0];
        for (int i = 0; i < 50; i++)
        {
            sim.Run(sim.Nodes[1].PutAsync($"key{i}", "value"u8.ToArray())); // three nodes: every other node stores it
        }

        Assert.True(holder.NamedValues!.Policy.Count >= 50, $"the holder holds {holder.NamedValues.Policy.Count} values (seed {seed})");
        var churner = new Churner(sim.Network);
        for (int i = 0; i < 200; i++)
        {
            churner.Ping(holder.LocalEndPoint, NodeId.CreateRandom(sim.Random));
            sim.Clock.RunFor(TimeSpan.FromMilliseconds(5));
        }

        sim.Clock.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(200, churner.Answers);
        Assert.Equal(0, churner.Received.GetValueOrDefault(NamedValueMethods.FindValue) + churner.Received.GetValueOrDefault(NamedValueMethods.Store));
        // The first id is a contact, pinged; the next ones are refused while it is merely questionable, and one takes
        // its place only once it has failed our pings (a few seconds): a handful of pings in all, not one per id.
        Assert.True(churner.Received.GetValueOrDefault(KrpcMethod.Ping) <= 10, $"{churner.Received.GetValueOrDefault(KrpcMethod.Ping)} pings for 200 ids (seed {seed})");
    }

    /// <summary>Sends pings with whatever id it is given from one address; counts answers and queries, answers none.</summary>
    private sealed class Churner : IDatagramReceiver
    {
        private readonly SimulatedTransport _transport;
        private readonly KrpcMessage _message = new();
        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private int _transaction;

        public Churner(SimulatedNetwork network)
        {
            _transport = network.CreateTransport();
            _transport.Start(this);
        }

        public int Answers { get; private set; }

        public Dictionary<KrpcMethod, int> Received { get; } = [];

        public void Ping(NetEndPoint to, NodeId id)
        {
            var ping = new KrpcMessage
            {
                Kind = KrpcMessageKind.Query,
                Method = KrpcMethod.Ping,
                TransactionId = BitConverter.GetBytes(++_transaction),
                Id = id,
                ClientVersion = Dht.Engine.NodeIdentity.ClientVersion.ToArray(), // it claims to serve named values
                Fields = KrpcFields.Id | KrpcFields.ClientVersion,
            };
            _buffer.ResetWrittenCount();
            KrpcWriter.Write(ping, _buffer);
            _transport.Send(to, _buffer.WrittenSpan);
        }

        public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
        {
            _message.Reset();
            if (!KrpcParser.Parse(datagram.ToArray(), _message).IsOk)
            {
                return;
            }

            if (_message.Kind == KrpcMessageKind.Query)
            {
                Received[_message.Method] = Received.GetValueOrDefault(_message.Method) + 1;
            }
            else
            {
                Answers++;
            }
        }
    }
}
