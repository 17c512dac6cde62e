// sendmmsg(2) on Linux: the replies produced while handling one received batch leave in one system call
// instead of one each. Replies are copied into native slots as they are produced and flushed when the batch
// has been handled (or when the slots are full). A datagram larger than a slot is not queued: the caller
// sends it directly.
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Dht.Protocol;

namespace Dht.Transport;

/// <summary>Batched datagram sending through sendmmsg (64-bit Linux). Used by one thread only.</summary>
internal sealed unsafe partial class LinuxBatchSender : IDisposable
{
    /// <summary>Replies held before a flush (the receive batch size).</summary>
    public const int BatchSize = LinuxBatchReceiver.BatchSize;

    /// <summary>Bytes per slot: any KRPC reply (BEP 44 values are at most 1000 bytes).</summary>
    public const int SlotSize = 2048;

    private const int MsgDontWait = 0x40;
    private const int EIntr = 4;

    private readonly byte* _buffers;
    private readonly byte* _addresses;
    private readonly LinuxMessages.IoVec* _iovecs;
    private readonly LinuxMessages.MMsgHdr* _headers;
    private int _count;

    public LinuxBatchSender()
    {
        _buffers = (byte*)NativeMemory.Alloc((nuint)(BatchSize * SlotSize));
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(BatchSize * LinuxMessages.AddressSize));
        _iovecs = (LinuxMessages.IoVec*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxMessages.IoVec)));
        _headers = (LinuxMessages.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxMessages.MMsgHdr)));
        for (int i = 0; i < BatchSize; i++)
        {
            _iovecs[i].Base = _buffers + (i * SlotSize);
            _headers[i].Header.Name = _addresses + (i * LinuxMessages.AddressSize);
            _headers[i].Header.Iov = &_iovecs[i];
            _headers[i].Header.IovLength = 1;
        }
    }

    /// <summary>
    /// Queues a datagram for <paramref name="socket"/> (every datagram queued until the next flush must be for
    /// the same socket); false if it does not fit a slot (send it directly).
    /// </summary>
    public bool TryQueue(Socket socket, NetEndPoint destination, ReadOnlySpan<byte> datagram, out int sent, out int failed)
    {
        sent = failed = 0;
        if (datagram.Length > SlotSize)
        {
            return false;
        }

        if (_count == BatchSize)
        {
            (sent, failed) = Flush(socket);
        }

        int i = _count++;
        datagram.CopyTo(new Span<byte>(_buffers + (i * SlotSize), SlotSize));
        _iovecs[i].Length = (nuint)datagram.Length;
        _headers[i].Header.NameLength = (uint)LinuxMessages.WriteAddress(
            destination, new Span<byte>(_addresses + (i * LinuxMessages.AddressSize), LinuxMessages.AddressSize));
        return true;
    }

    /// <summary>Sends everything queued through <paramref name="socket"/>; returns how many datagrams left and how many could not be sent.</summary>
    public (int Sent, int Failed) Flush(Socket socket)
    {
        int total = _count, done = 0, failed = 0;
        _count = 0;
        if (total == 0)
        {
            return (0, 0);
        }

        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            while (done + failed < total)
            {
                // Never block: on a full send buffer the datagram is dropped like a lost packet, so that one
                // busy socket cannot hold up a receive thread that serves others.
                int n = SendMMsg(fd, _headers + done + failed, (uint)(total - done - failed), MsgDontWait);
                if (n > 0)
                {
                    done += n;
                }
                else if (n < 0 && Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue; // a signal arrived before anything was sent: try again
                }
                else
                {
                    failed++; // the datagram at the head could not be sent: drop it, like a lost packet
                }
            }
        }
        catch (ObjectDisposedException)
        {
            failed = total - done;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }

        return (done, failed);
    }

    public void Dispose()
    {
        NativeMemory.Free(_buffers);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_iovecs);
        NativeMemory.Free(_headers);
    }

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMMsg(int fd, LinuxMessages.MMsgHdr* messages, uint count, int flags);
}
