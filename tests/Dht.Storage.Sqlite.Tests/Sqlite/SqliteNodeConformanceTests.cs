using System.Net;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Dht.TestSupport.Storage.ScriptedStores;

namespace Dht.Tests.Sqlite;

/// <summary>
/// A node over SQLite answers a store only once it is on disk, and a database locked by another process
/// makes stores fail with 202 without stalling anything else the node does.
/// </summary>
public sealed class SqliteNodeConformanceTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly ScriptedPeer _writer = new("writer");
    private readonly ScriptedPeer _pinger = new("pinger");
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        _writer.Dispose();
        _pinger.Dispose();
        _timeout.Dispose();
        _directory.Dispose();
    }

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task Store_IsAcknowledgedOnlyOnceItIsOnDisk()
    {
        using var database = SqliteDatabase.OpenInDirectory(_directory.Path);
        await using var node = await StartAsync(database);
        var token = await _writer.TokenAsync(node.LocalEndPoint, Ct);

        for (int i = 0; i < 20; i++)
        {
            var target = NodeId.FromKey($"key {i}");
            AssertOk(await _writer.StoreAsync(node.LocalEndPoint, token, target, "v", 1, Ct));

            // Read by another connection the moment the answer arrives: the row is committed already.
            using var reader = OpenOther(database.Path);
            using var select = reader.CreateCommand();
            select.CommandText = "SELECT count(*) FROM named_values WHERE target = $target";
            select.Parameters.AddWithValue("$target", target.ToArray());
            Assert.Equal(1L, select.ExecuteScalar());
        }
    }

    [Fact]
    public async Task Store_WhileAnotherProcessHoldsTheDatabase_DoesNotStallPings_AndIsAnsweredWhenItCommits()
    {
        // A long busy timeout keeps the store waiting for as long as the lock is held.
        using var database = SqliteDatabase.OpenInDirectory(_directory.Path, new SqliteStorageOptions { BusyTimeout = TimeSpan.FromHours(1) });
        await using var node = await StartAsync(database);
        var token = await _writer.TokenAsync(node.LocalEndPoint, Ct);
        using var other = OpenOther(database.Path);
        Execute(other, "BEGIN IMMEDIATE");

        var store = _writer.StoreAsync(node.LocalEndPoint, token, NodeId.FromKey("waiting"), "v", 1, Ct);
        var pong = await _pinger.PingAsync(node.LocalEndPoint, Ct);
        var findValue = await _pinger.FindValueAsync(node.LocalEndPoint, NodeId.FromKey("waiting"), Ct);

        AssertOk(pong);
        Assert.True(findValue.Has(KrpcFields.Value)); // served from memory while the write waits
        Assert.False(store.IsCompleted);
        Execute(other, "ROLLBACK");
        AssertOk(await store);
    }

    [Fact]
    public async Task Store_WhenTheDatabaseStaysLocked_Gets202()
    {
        using var database = SqliteDatabase.OpenInDirectory(_directory.Path, new SqliteStorageOptions { BusyTimeout = TimeSpan.FromMilliseconds(50) });
        await using var node = await StartAsync(database);
        var token = await _writer.TokenAsync(node.LocalEndPoint, Ct);
        using var other = OpenOther(database.Path);
        Execute(other, "BEGIN IMMEDIATE");

        var reply = await _writer.StoreAsync(node.LocalEndPoint, token, NodeId.FromKey("refused"), "v", 1, Ct);

        AssertError(KrpcErrorCode.Server, reply);
        Assert.Equal("aa"u8.ToArray(), reply.TransactionId.ToArray());
        Execute(other, "ROLLBACK");
        AssertOk(await _writer.StoreAsync(node.LocalEndPoint, token, NodeId.FromKey("accepted"), "v", 1, Ct));
    }

    private static async Task<DhtNode> StartAsync(SqliteDatabase database)
    {
        var node = new DhtNode(
            new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback },
            new DhtStores
            {
                NamedValues = new SqliteNamedValueStore(database),
                Items = new SqliteItemStore(database),
                State = new SqliteNodeState(database),
            });
        await node.StartAsync();
        return node;
    }

    private static SqliteConnection OpenOther(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
