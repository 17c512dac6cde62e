namespace Dht.Cli.Tests;

/// <summary>
/// A fresh temporary folder holding the data directories of one test's nodes; disposing deletes it. Dispose it
/// after the processes that use it (declare it first).
/// </summary>
internal sealed class PersistenceDataDirectory : IDisposable
{
    public PersistenceDataDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "dht-persistence-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The data directory of the node called <paramref name="name"/> (not created: the node creates it).</summary>
    public string For(string name) => Path.Combine(Root, name);

    /// <summary>The database file a node with data directory <paramref name="name"/> keeps.</summary>
    public string DatabaseOf(string name) => Path.Combine(For(name), "dht.db");

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
