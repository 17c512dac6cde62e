namespace Dht.Tests.Sqlite;

/// <summary>Copies of a live database's files, as a crash would leave them.</summary>
internal static class SqliteFiles
{
    /// <summary>
    /// Copies the database at <paramref name="path"/> and its WAL into <paramref name="directory"/> while the
    /// database is still open (never closed, never checkpointed on close): what a process killed at this
    /// moment leaves on disk. Returns the copy's path.
    /// </summary>
    public static string CopyAsCrashed(string path, string directory)
    {
        Directory.CreateDirectory(directory);
        var copy = Path.Combine(directory, Path.GetFileName(path));
        File.Copy(path, copy);
        if (File.Exists(path + "-wal"))
        {
            File.Copy(path + "-wal", copy + "-wal");
        }

        return copy;
    }
}
