// The part of UdpTransport that runs on the process's shared receive thread (LinuxReceiveLoop, 64-bit Linux):
// joining the loop, taking batches when the loop says the socket is readable, and handing each batch's
// datagrams to the receiver with their replies queued for one sendmmsg. A fault or a stopped loop ends this
// transport's receiving, logged, without touching the other transports on the thread.
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Dht.Transport;

/// <summary>A <see cref="IDatagramTransport"/> over a UDP socket.</summary>
internal sealed partial class UdpTransport
{
    private bool TryStartOnLoop(LinuxReceiveLoop loop)
    {
        // The reference keeps the descriptor open (and its number ours) until the registration is settled,
        // even if DisposeAsync runs meanwhile on another thread.
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            _loopId = loop.NewId(); // before the loop can call us: a receiver disposing at once must find it
            try
            {
                loop.Add(_loopId, this, (int)_socket.SafeHandle.DangerousGetHandle());
            }
            catch (SocketException e)
            {
                LogSharedThreadRefused(_logger, e.SocketErrorCode);
                _loopId = 0;
                _loop = null;
                return false;
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                _ = loop.RemoveAsync(_loopId);
            }

            return true;
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Called by the shared loop when the socket is readable: takes up to <paramref name="maxBatches"/> batches
    /// (fewer when the socket runs dry) and hands their datagrams to the receiver.
    /// </summary>
    internal void ReceiveReady(LinuxBatchReceiver batch, LinuxBatchSender replies, int maxBatches)
    {
        var receiver = _receiver!;
        for (int turn = 0; turn < maxBatches && Volatile.Read(ref _disposed) == 0; turn++)
        {
            int received = batch.Receive(_socket, wait: false);
            if (received < 0)
            {
                if (LinuxBatchReceiver.IsEmpty(received))
                {
                    return;
                }

                if (!ReceiveFailed(received))
                {
                    _ = _loop!.RemoveAsync(_loopId); // on the loop thread: completes at once
                    return;
                }

                continue;
            }

            HandleBatch(batch, received, receiver, replies);
            if (received < LinuxBatchReceiver.BatchSize)
            {
                return;
            }
        }
    }

    /// <summary>Counts a failed batch receive; true if the socket is still fine, false (logged) if receiving must stop.</summary>
    private bool ReceiveFailed(int error)
    {
        Interlocked.Increment(ref _receiveErrors);
        if (LinuxBatchReceiver.IsInterrupted(error) || IsTransientErrno(-error))
        {
            return true;
        }

        LogReceiveLoopStopped(_logger, new SocketException(-error), LocalEndPoint);
        return false;
    }

    /// <summary>Called by the shared loop after this transport threw out of <see cref="ReceiveReady"/>; it receives no more.</summary>
    internal void OnReceiveLoopFault(Exception exception)
    {
        Interlocked.Increment(ref _receiverFaults);
        LogFromSharedThread(() => LogReceiveLoopStopped(_logger, exception, LocalEndPoint));
    }

    /// <summary>Called by the shared loop when it has stopped for good (its epoll descriptor failed): this transport receives no more.</summary>
    internal void OnSharedLoopStopped(int errno) =>
        LogFromSharedThread(() => LogSharedThreadStopped(_logger, Marshal.GetPInvokeErrorMessage(errno), errno, LocalEndPoint));

    private static void LogFromSharedThread(Action log)
    {
        try
        {
            log();
        }
#pragma warning disable CA1031 // a logger that throws must not take the shared receive thread with it
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void HandleBatch(LinuxBatchReceiver batch, int received, IDatagramReceiver receiver, LinuxBatchSender replies)
    {
        _replies = replies;
        Volatile.Write(ref _handlingThread, Environment.CurrentManagedThreadId);
        try
        {
            for (int i = 0; i < received && Volatile.Read(ref _disposed) == 0; i++)
            {
                if (!batch.TryGet(i, out var from, out var datagram, out bool truncated) || truncated)
                {
                    Interlocked.Increment(ref _receiveErrors);
                    continue;
                }

                Deliver(receiver, from, datagram);
            }
        }
        finally
        {
            Volatile.Write(ref _handlingThread, 0);
            _replies = null;
            var (sent, failed) = replies.Flush(_socket);
            CountFlush(sent, failed);
            if (_loop is not null && Volatile.Read(ref _disposed) != 0)
            {
                _receiveLoopExited.TrySetResult(); // disposed from inside the receiver: now it is over
            }
        }
    }
}
