using System.Buffers;
using Dht.Protocol;

namespace Dht.Engine.Network;

/// <summary>
/// A datagram that arrived while the node's loop was busy: copied into a pooled buffer and queued for the loop.
/// Instances are reused, so a busy node allocates nothing per datagram once warmed.
/// </summary>
internal sealed class QueuedDatagram(NodeFamily family)
{
    private byte[] _buffer = [];

    public NetEndPoint Source { get; private set; }

    /// <summary>The length received (a datagram longer than <see cref="NodeFamily.MaxDatagramSize"/> is kept cut).</summary>
    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Datagram => _buffer.AsMemory(0, Math.Min(Length, NodeFamily.MaxDatagramSize));

    /// <summary>Copies <paramref name="datagram"/> (on the receive thread).</summary>
    public void Fill(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        Source = source;
        Length = datagram.Length;
        int kept = Math.Min(datagram.Length, NodeFamily.MaxDatagramSize);
        if (_buffer.Length < kept)
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(kept, 2048));
        }

        datagram[..kept].CopyTo(_buffer);
    }

    /// <summary>Handles the datagram on the loop; then the instance is the family's to reuse.</summary>
    public void Handle() => family.HandleQueued(this);
}
