// The Linux x86-64 / arm64 layouts of the structures recvmmsg(2) and sendmmsg(2) take, and sockaddr
// encoding. 64-bit only (the callers check Environment.Is64BitProcess).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dht.Protocol;

namespace Dht.Transport;

/// <summary>Native message structures shared by the batched receive and send paths.</summary>
internal static unsafe class LinuxMessages
{
    public const int AfInet = 2;
    public const int AfInet6 = 10;

    /// <summary>Room for any socket address we use (sockaddr_in6 is 28 bytes).</summary>
    public const int AddressSize = 32;

    /// <summary>Writes <paramref name="endPoint"/> as a sockaddr_in or sockaddr_in6; returns its length.</summary>
    public static int WriteAddress(NetEndPoint endPoint, Span<byte> destination)
    {
        destination[..AddressSize].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], endPoint.Port);
        if (endPoint.IsIPv6)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, AfInet6);
            endPoint.WriteAddress(destination.Slice(8, 16));
            return 28;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, AfInet);
        endPoint.WriteAddress(destination.Slice(4, 4));
        return 16;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
