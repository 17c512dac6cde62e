namespace Dht.Storage.Sqlite;

/// <summary>
/// Another node (in this process or another) has the database open: two nodes on one data directory would
/// run with one identity and write over each other's state, so the second is refused.
/// </summary>
public sealed class DataDirectoryInUseException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public DataDirectoryInUseException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public DataDirectoryInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The failure that caused it.</param>
    public DataDirectoryInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refused directory.</summary>
    public string? DataDirectory { get; init; }
}
