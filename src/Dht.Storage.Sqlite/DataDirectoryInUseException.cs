namespace Dht.Storage.Sqlite;

/// <summary>
/// Another node (in this process or another) has the database open: two nodes on one data directory would
/// run with one identity and write over each other's state, so the second is refused.
/// </summary>
public sealed class DataDirectoryInUseException : IOException
{
    public DataDirectoryInUseException()
    {
    }

    public DataDirectoryInUseException(string message)
        : base(message)
    {
    }

    public DataDirectoryInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refused directory.</summary>
    public string? DataDirectory { get; init; }
}
