using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// A node's database locked by another process makes its stores fail with KRPC error 202, not stall the node:
/// a <c>dht</c> process with a data directory, and this test's process holding SQLite's write lock on the
/// node's <c>dht.db</c> (<c>BEGIN EXCLUSIVE</c>, as the sqlite3 shell or a backup would). The node's own lock
/// on its data directory is a different file and is not touched. docs/BENCHMARKS.md times the same under load.
/// </summary>
public sealed class LockedDatabaseTests(ITestOutputHelper log)
{
    private const int StoresWhileLocked = 20;
    private const int PingsWhileLocked = 20;

    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Stores_WhileAnotherProcessHoldsTheWriteLock_Get202_PingsAreAnswered_AndStoresSucceedOnceReleased()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var dirs = new PersistenceDataDirectory();
        string port = PersistenceRestartTests.Port();
        await using var node = DhtProcess.Start(port, "--bind", "127.0.0.1", "--no-shell", "--data-dir", dirs.For("node"));
        await node.WaitForLineAsync(PersistenceRestartTests.NodeIdLine, cts.Token);
        var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(port, CultureInfo.InvariantCulture));
        using var peer = new KrpcPeer();
        var tokenAnswer = await peer.AskAsync(endPoint, NamedValueMethods.FindValue, m => (m.Target, m.Fields) = (NodeId.FromKey("token"), m.Fields | KrpcFields.Target), cts.Token);
        Assert.True(tokenAnswer.Has(KrpcFields.Token), node.Transcript);
        byte[] token = tokenAnswer.Token.ToArray();
        long seq = 1;
        Task<KrpcMessage> Store(string key) => peer.AskAsync(endPoint, NamedValueMethods.Store, StoreArguments(key, token, seq++), cts.Token);

        AssertAcknowledged(await Store("before"), node);

        var clock = Stopwatch.StartNew();
        (KrpcMessage Answer, TimeSpan After)[] refused;
        var pings = new List<(KrpcMessage Answer, TimeSpan After)>();
        using (var holder = HoldWriteLock(dirs.DatabaseOf("node")))
        {
            var lockedAt = clock.Elapsed;
            var stores = Enumerable.Range(0, StoresWhileLocked).Select(i => TimedAsync(clock, () => Store($"locked {i}"))).ToList();
            for (int i = 0; i < PingsWhileLocked; i++)
            {
                pings.Add(await TimedAsync(clock, () => peer.AskAsync(endPoint, KrpcMethod.Ping, null, cts.Token)));
            }

            refused = await Task.WhenAll(stores);

            // Released only once every store sent under the lock was answered, so none of them can commit.
            Execute(holder, "COMMIT");
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"under the lock ({(clock.Elapsed - lockedAt).TotalMilliseconds:0} ms): {StoresWhileLocked} stores answered after {Describe(refused)}; {PingsWhileLocked} pings, one at a time, answered after {Describe([.. pings])}"));
        }

        Assert.All(refused, r =>
        {
            Assert.True(r.Answer.Kind == KrpcMessageKind.Error, $"a store under the lock was answered with {r.Answer.Kind}\n{node.Transcript}");
            Assert.Equal(KrpcErrorCode.Server, r.Answer.ErrorCode);
        });
        Assert.All(pings, p => Assert.Equal(KrpcMessageKind.Response, p.Answer.Kind));

        var released = clock.Elapsed;
        AssertAcknowledged(await Store("after"), node);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after the release, a store acknowledged in {(clock.Elapsed - released).TotalMilliseconds:0.0} ms"));

        // Acknowledged means on disk; refused means not.
        using (var database = PersistenceDatabase.Open(dirs.DatabaseOf("node")))
        {
            var held = database.NamedValueTargets();
            Assert.Contains(PersistenceRestartTests.TargetOf("before"), held);
            Assert.Contains(PersistenceRestartTests.TargetOf("after"), held);
            Assert.All(Enumerable.Range(0, StoresWhileLocked), i => Assert.DoesNotContain(PersistenceRestartTests.TargetOf($"locked {i}"), held));
        }

        Assert.False(node.HasExited(), node.Transcript);
    }

    private static Action<KrpcMessage> StoreArguments(string key, byte[] token, long seq) => m =>
    {
        m.Target = NodeId.FromKey(key);
        m.Token = token;
        m.Value = Encoding.ASCII.GetBytes("5:value");
        m.Seq = seq;
        m.Fields |= KrpcFields.Target | KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq;
    };

    private static async Task<(KrpcMessage Answer, TimeSpan After)> TimedAsync(Stopwatch clock, Func<Task<KrpcMessage>> ask)
    {
        var sent = clock.Elapsed;
        try
        {
            var answer = await ask();
            return (answer, clock.Elapsed - sent);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"a query sent at {sent.TotalSeconds:0.0} s got no answer within {Bound.TotalMinutes} minutes: the node stalled");
            throw;
        }
    }

    /// <summary>A connection of this process holding the database's write lock until the transaction ends or the connection closes.</summary>
    private static SqliteConnection HoldWriteLock(string databasePath)
    {
        SQLitePCL.Batteries_V2.Init();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30, // the node may be committing: wait for its transaction to end
        }.ToString());
        connection.Open();
        Execute(connection, "BEGIN EXCLUSIVE");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void AssertAcknowledged(KrpcMessage answer, DhtProcess node) =>
        Assert.True(answer.Kind == KrpcMessageKind.Response, $"store answered with {answer.Kind} {answer.ErrorCode}\n{node.Transcript}");

    private static string Describe((KrpcMessage Answer, TimeSpan After)[] answers)
    {
        var ms = answers.Select(a => a.After.TotalMilliseconds).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{ms[0]:0.0}-{ms[^1]:0.0} ms (median {ms[ms.Count / 2]:0.0})");
    }
}
