namespace Dht.Storage;

/// <summary>
/// Faults the durability task of a write that could not be made durable: the database is locked by another
/// process, the disk failed or is full, or too many writes are already waiting. The write is not on disk; the
/// node answers the store that caused it with KRPC error 202.
/// </summary>
public sealed class StorageUnavailableException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public StorageUnavailableException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The failure that caused it.</param>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
