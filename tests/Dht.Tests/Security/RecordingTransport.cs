using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Transport;

namespace Dht.Tests.Security;

/// <summary>
/// A transport that hands the node datagrams from any source a test names (spoofing is free here) and keeps
/// every datagram the node sends, so that a test can assert what was answered, and that nothing was.
/// </summary>
internal sealed class RecordingTransport : IDatagramTransport
{
    private IDatagramReceiver? _receiver;

    public NetEndPoint LocalEndPoint { get; } = NetEndPoint.Parse("192.0.2.1:6881");

    public List<(NetEndPoint To, byte[] Datagram)> Sent { get; } = [];

    public void Start(IDatagramReceiver receiver) => _receiver = receiver;

    public void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram) => Sent.Add((destination, datagram.ToArray()));

    /// <summary>
    /// Delivers <paramref name="datagram"/> as if it came from <paramref name="source"/>; returns the replies
    /// (responses and errors) the node sent back to it, not its own queries (it pings a new contact).
    /// </summary>
    public List<byte[]> Deliver(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        int before = Sent.Count;
        _receiver!.OnDatagram(source, datagram);
        return [.. Sent.Skip(before).Where(s => s.To == source && !IsQuery(s.Datagram)).Select(s => s.Datagram)];
    }

    private static bool IsQuery(byte[] datagram)
    {
        var message = new KrpcMessage();
        return KrpcParser.Parse(datagram, message).IsOk && message.Kind == KrpcMessageKind.Query;
    }

    /// <summary>Delivers a datagram and decodes the one reply it must get.</summary>
    public KrpcMessage Exchange(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        var replies = Deliver(source, datagram);
        Assert.Single(replies);
        var reply = new KrpcMessage();
        Assert.True(KrpcParser.Parse(replies[0], reply).IsOk);
        return reply;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
