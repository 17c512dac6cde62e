// recvmmsg(2) on Linux: one system call takes every datagram already queued on the socket (up to a batch),
// so under load the receive thread neither sleeps nor wakes per datagram and makes one system call per
// batch instead of one per datagram. MSG_WAITFORONE makes the call block only until the first datagram, so
// a lone datagram is not delayed. The slots are not tied to a socket: the shared receive loop uses one set
// for every socket it serves.
//
// The buffers live in native memory: one slot per datagram, each as large as a UDP datagram can be, so
// nothing is ever cut short (16 slots: 1 MiB per socket; a batch of 16 already removes most of the per-datagram
// system-call and wake-up cost).
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Dht.Protocol;

namespace Dht.Transport;

/// <summary>Batched datagram receipt through recvmmsg (64-bit Linux).</summary>
internal sealed unsafe partial class LinuxBatchReceiver : IDisposable
{
    /// <summary>Datagrams taken per system call.</summary>
    public const int BatchSize = 16;

    /// <summary>Bytes per slot; longer datagrams are truncated.</summary>
    public const int SlotSize = 65_536;

    private const int MsgWaitForOne = 0x10000;
    private const int MsgTrunc = 0x20;
    private const int MsgDontWait = 0x40;
    private const int EAgain = 11;
    private const int AddressSize = LinuxMessages.AddressSize;
    private const int AfInet = LinuxMessages.AfInet;
    private const int AfInet6 = LinuxMessages.AfInet6;
    private const int EIntr = 4;

    private readonly byte* _buffers;
    private readonly byte* _addresses;
    private readonly LinuxMessages.IoVec* _iovecs;
    private readonly LinuxMessages.MMsgHdr* _headers;

    public LinuxBatchReceiver()
    {
        _buffers = (byte*)NativeMemory.Alloc((nuint)(BatchSize * SlotSize));
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(BatchSize * AddressSize));
        _iovecs = (LinuxMessages.IoVec*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxMessages.IoVec)));
        _headers = (LinuxMessages.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxMessages.MMsgHdr)));
        for (int i = 0; i < BatchSize; i++)
        {
            _iovecs[i].Base = _buffers + (i * SlotSize);
            _iovecs[i].Length = SlotSize;
        }
    }

    /// <summary>True where recvmmsg and this structure layout apply.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess && BitConverter.IsLittleEndian;

    /// <summary>
    /// Takes up to <see cref="BatchSize"/> queued datagrams from <paramref name="socket"/>. With
    /// <paramref name="wait"/>, blocks until at least one is queued; without, returns -EAGAIN when none is
    /// (see <see cref="IsEmpty"/>). Returns the count, or a negative errno.
    /// </summary>
    public int Receive(Socket socket, bool wait)
    {
        for (int i = 0; i < BatchSize; i++)
        {
            ref var h = ref _headers[i];
            h.Header.Name = _addresses + (i * AddressSize);
            h.Header.NameLength = AddressSize;
            h.Header.Iov = &_iovecs[i];
            h.Header.IovLength = 1;
            h.Header.Flags = 0;
            h.Length = 0;
        }

        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            int n = RecvMMsg(fd, _headers, BatchSize, wait ? MsgWaitForOne : MsgDontWait, IntPtr.Zero);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>True when a receive that does not wait found nothing queued.</summary>
    public static bool IsEmpty(int error) => -error == EAgain;

    /// <summary>True when the error means "try again" (a signal interrupted the call).</summary>
    public static bool IsInterrupted(int error) => -error == EIntr;

    /// <summary>Datagram <paramref name="index"/> of the last batch: its source, bytes, and whether it was cut short.</summary>
    public bool TryGet(int index, out NetEndPoint source, out ReadOnlySpan<byte> datagram, out bool truncated)
    {
        ref var h = ref _headers[index];
        truncated = (h.Header.Flags & MsgTrunc) != 0;
        datagram = new ReadOnlySpan<byte>(_buffers + (index * SlotSize), (int)Math.Min(h.Length, SlotSize));
        var address = new ReadOnlySpan<byte>(_addresses + (index * AddressSize), AddressSize);
        int family = BinaryPrimitives.ReadUInt16LittleEndian(address);
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        switch (family)
        {
            case AfInet:
                source = NetEndPoint.FromIPv4(address.Slice(4, 4), port);
                return true;
            case AfInet6:
                source = NetEndPoint.FromIPv6(address.Slice(8, 16), port);
                return true;
            default:
                source = default;
                return false;
        }
    }

    public void Dispose()
    {
        NativeMemory.Free(_buffers);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_iovecs);
        NativeMemory.Free(_headers);
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int RecvMMsg(int fd, LinuxMessages.MMsgHdr* messages, uint count, int flags, IntPtr timeout);

}
