// Group commit: the one thread that writes a node's database, so that the node's own loop never waits for a
// disk.
//
// The stores hand each change over as a small write (bind these values, run that statement) and get back the
// task of the batch it joined. The writer takes everything waiting, runs it as one transaction with one
// fsync (WAL, synchronous=FULL), and completes that batch's task; writes arriving meanwhile form the next
// batch. So under load a batch holds every write that arrived during the previous commit, and durable writes
// per second grow towards rows per second instead of fsyncs per second, while each write is still
// acknowledged only once it is on disk. One task per batch, not per write: a write costs one list slot.
//
// A failed batch (locked database, failing or full disk) is rolled back, logged once, and its task faults
// with StorageUnavailableException; the writer goes on with the next batch. Writes are applied in the order
// they were handed over, across every store of the database, so a completed task also covers every earlier
// write. When more than MaxPendingWrites are waiting, a new write fails at once rather than queueing memory
// behind a stuck disk.
//
// Task continuations run asynchronously (never on this thread), so a slow continuation cannot hold up the
// next commit.
using Microsoft.Extensions.Logging;

namespace Dht.Storage.Sqlite;

/// <summary>Commits handed-over writes in batches on a thread of its own.</summary>
internal sealed partial class SqliteWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly Action<List<Action>> _commit;
    private readonly int _maxPending;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private List<Action> _pending = [];
    private List<Action> _writing = [];
    private TaskCompletionSource _pendingBatch = NewBatch();
    private Task _inFlight = Task.CompletedTask;
    private bool _stopping;
    private bool _reportedFull;

    /// <param name="commit">Runs the writes, in order, as one durable transaction; throws when it did not commit.</param>
    /// <param name="maxPending">Writes that may wait; more fail at once.</param>
    /// <param name="path">The database, for log lines and the thread's name.</param>
    /// <param name="logger">Where failed batches are reported.</param>
    public SqliteWriter(Action<List<Action>> commit, int maxPending, string path, ILogger logger)
    {
        _commit = commit;
        _maxPending = maxPending;
        _path = path;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "dht sqlite writer" };
        _thread.Start();
    }

    /// <summary>
    /// Hands <paramref name="write"/> over (it runs on the writer's thread, inside a transaction); returns the
    /// task of its batch, completed once the batch committed and faulted if it did not.
    /// </summary>
    public Task Enqueue(Action write)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_pending.Count >= _maxPending)
            {
                if (!_reportedFull)
                {
                    _reportedFull = true; // once per episode, not once per refused write
                    LogQueueFull(_path, _maxPending);
                }

                return Task.FromException(new StorageUnavailableException(
                    $"{_maxPending} writes to '{_path}' are already waiting for the disk."));
            }

            _pending.Add(write);
            if (_pending.Count == 1)
            {
                Monitor.Pulse(_gate);
            }

            return _pendingBatch.Task;
        }
    }

    /// <summary>A task completed once every write handed over so far has committed (or failed).</summary>
    public Task Flushed()
    {
        lock (_gate)
        {
            return _pending.Count > 0 ? _pendingBatch.Task : _inFlight;
        }
    }

    /// <summary>Commits what is waiting, then stops the thread. Blocks until it has.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private static TaskCompletionSource NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Run()
    {
        while (true)
        {
            TaskCompletionSource batch;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_pending.Count == 0)
                {
                    return;
                }

                (_pending, _writing) = (_writing, _pending);
                _reportedFull = false;
                batch = _pendingBatch;
                _pendingBatch = NewBatch();
                _inFlight = batch.Task;
            }

            try
            {
                _commit(_writing);
                batch.SetResult();
            }
            catch (Exception e)
            {
                // Whatever went wrong, this batch is not on disk and the next one may fare better: report it
                // through the batch's task and the log, and keep the thread serving.
                LogBatchFailed(e, _writing.Count, _path);
                batch.SetException(new StorageUnavailableException($"Writing to '{_path}' failed: {e.Message}", e));
            }
            finally
            {
                _writing.Clear();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage: a batch of {Count} write(s) to {Path} failed; its stores are refused")]
    private partial void LogBatchFailed(Exception exception, int count, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage: {Max} writes to {Path} are waiting for the disk; refusing more")]
    private partial void LogQueueFull(string path, int max);
}
