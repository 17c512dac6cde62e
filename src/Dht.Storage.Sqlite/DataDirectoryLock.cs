// One node per data directory: the database is opened only under an exclusive lock on a file beside it,
// held until the database is disposed. Two nodes on one directory would run as one identity and write over
// each other's state; SQLite's own locking keeps the file sound but not the node's state coherent.
//
// The lock is the operating system's: a FileStream opened with FileShare.None takes flock(LOCK_EX) on Unix
// and a sharing lock on Windows, so it conflicts across processes and within one, and is released by the
// kernel when its holder dies (kill -9 leaves no stale lock). The file itself stays; it is never deleted,
// since deleting a lock file races with the next opener.
namespace Dht.Storage.Sqlite;

/// <summary>An exclusive lock on the file <c>&lt;database&gt;.lock</c>, held until disposed.</summary>
internal sealed class DataDirectoryLock : IDisposable
{
    /// <summary>What is appended to the database's file name to name its lock file.</summary>
    public const string Suffix = ".lock";

    // The errors a lock held elsewhere raises: EWOULDBLOCK on Linux (11) and on macOS and the BSDs (35);
    // ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION on Windows.
    private const int LinuxWouldBlock = 11;
    private const int BsdWouldBlock = 35;
    private const int WindowsSharingViolation = unchecked((int)0x80070020);
    private const int WindowsLockViolation = unchecked((int)0x80070021);

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of the database at <paramref name="databasePath"/>.</summary>
    /// <exception cref="DataDirectoryInUseException">Another open database holds it.</exception>
    public static DataDirectoryLock Acquire(string databasePath)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            return new DataDirectoryLock(new FileStream(databasePath + Suffix, options));
        }
        catch (IOException e) when (e.HResult is LinuxWouldBlock or BsdWouldBlock or WindowsSharingViolation or WindowsLockViolation)
        {
            var directory = Path.GetDirectoryName(databasePath) ?? databasePath;
            throw new DataDirectoryInUseException($"data directory {directory} is in use by another dht process", e)
            {
                DataDirectory = directory,
            };
        }
    }

    public void Dispose() => _file.Dispose();
}
