// Makes the host's one DhtNode from the validated options, and owns the SQLite database behind it.
using System.Diagnostics.Metrics;
using Dht.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dht.Hosting;

/// <summary>Creates the singleton <see cref="DhtNode"/>; disposed by the container after the node, it closes the database last.</summary>
/// <param name="options">The validated options.</param>
/// <param name="loggerFactory">The host's logging.</param>
/// <param name="stores">Stores registered by the application; they take the place of <see cref="DhtOptions.DataDirectory"/>.</param>
/// <param name="meterFactory">The host's meter factory (registered by every generic host): the node's meter "Dht" is made
/// by it, so the host's metrics pipeline sees the node, and the host disposes it.</param>
internal sealed class DhtNodeFactory(
    IOptions<DhtOptions> options, ILoggerFactory loggerFactory, DhtStores? stores = null, IMeterFactory? meterFactory = null) : IDisposable
{
    private SqliteDatabase? _database;

    public DhtNode Create()
    {
        var value = options.Value;
        return new DhtNode(value, stores ?? OpenStores(value.DataDirectory), loggerFactory, meterFactory);
    }

    public void Dispose() => _database?.Dispose();

    private DhtStores OpenStores(string? dataDirectory)
    {
        if (dataDirectory is null)
        {
            return new DhtStores();
        }

        _database = SqliteDatabase.OpenInDirectory(dataDirectory, logger: loggerFactory.CreateLogger("Dht.Storage"));
        return new DhtStores
        {
            NamedValues = new SqliteNamedValueStore(_database),
            Items = new SqliteItemStore(_database),
            State = new SqliteNodeState(_database),
        };
    }
}
