// UdpTransport's log messages, in one place.
using System.Net.Sockets;
using Dht.Protocol;
using Microsoft.Extensions.Logging;

namespace Dht.Transport;

/// <summary>A <see cref="IDatagramTransport"/> over a UDP socket.</summary>
internal sealed partial class UdpTransport
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "UDP transport bound to {LocalEndPoint} (receive buffer {ReceiveBuffer} bytes, send buffer {SendBuffer} bytes)")]
    private static partial void LogBound(ILogger logger, NetEndPoint localEndPoint, int receiveBuffer, int sendBuffer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The socket refused the requested buffer sizes ({Error}); keeping the system defaults")]
    private static partial void LogBufferSizeRefused(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Send to {Destination} failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, NetEndPoint destination, SocketError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared receive thread refused the socket ({Error}); it gets a thread of its own")]
    private static partial void LogSharedThreadRefused(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The shared receive thread stopped ({Error}, errno {Errno}): {LocalEndPoint} receives no more")]
    private static partial void LogSharedThreadStopped(ILogger logger, string error, int errno, NetEndPoint localEndPoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Receive failed: {Error}; continuing")]
    private static partial void LogReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The receive loop on {LocalEndPoint} stopped: the socket is unusable")]
    private static partial void LogReceiveLoopStopped(ILogger logger, Exception exception, NetEndPoint localEndPoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "The datagram receiver threw on a datagram from {Source}; the datagram is dropped")]
    private static partial void LogReceiverFailed(ILogger logger, Exception exception, NetEndPoint source);
}
