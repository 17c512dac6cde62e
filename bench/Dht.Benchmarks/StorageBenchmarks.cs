// Local store throughput with durability on: how many stores the SQLite stores can acknowledge per second
// when each must be on disk first, one fsync per store against group commit, what a read costs, and the
// in-memory store beside them.
//
// The SQLite stores are used as the node uses them: one SqliteDatabase (WAL, synchronous=FULL) whose writer
// thread commits whatever is waiting as one transaction and one fsync. A put returns at once; its task
// completes when its batch has committed, which is when the node acknowledges the store.
// - *_OneFsyncEach waits for each put's task before the next put: every batch holds one put, so every put
//   pays one fsync (what the stores did before group commit, and what a node sees when stores trickle in).
// - *_GroupCommit hands over Burst puts and waits for the last task (OperationsPerInvoke = Burst): the first
//   put wakes the writer, the others gather behind its commit, as on a node taking a flood of stores. The
//   per-operation time is the durable cost of one store in a burst; 1 / Mean is durable stores per second.
// A bare 4 KiB write + fsync of a file in the same folder is the floor every commit sits on.
//
// Both tables are filled with StorageLimits' default MaxItems (10,000) entries in setup, through a separate
// connection in one transaction (filling them through the stores would take as long as the benchmark); the
// stores are opened afterwards and must count and read them back, which checks the rows match the schema.
// Puts replace entries already held (the steady state of a full store whose keys are re-published), so the
// table size does not drift during a run. Files live in a fresh temp folder, deleted in cleanup.
using BenchmarkDotNet.Attributes;
using Dht.Protocol;
using Dht.Storage;
using Dht.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Dht.Benchmarks;

/// <summary>SQLite and in-memory named-value and item stores: durable Put one fsync each and group-committed, TryGet, and node state.</summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    /// <summary>Entries in each table before measuring: StorageLimits.MaxItems' default, a full store.</summary>
    public const int Prefilled = 10_000;

    /// <summary>Bytes of each value: a small record, a quarter of the 1000-byte limit.</summary>
    public const int ValueSize = 256;

    /// <summary>Contacts saved per SaveContacts call; its benchmark reports the cost of one.</summary>
    public const int ContactsPerSave = 100;

    /// <summary>Puts handed over together by the group-commit benchmarks: a flood of stores, bounded well under SqliteStorageOptions.MaxPendingWrites.</summary>
    public const int Burst = 1024;

    private const int Seed = 11;
    private const int CycleCount = 1024; // a power of two, so cycling is a mask
    private const int FsyncBlockSize = 4096;

    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly byte[] _block = new byte[FsyncBlockSize];

    private string _directory = "";
    private SqliteDatabase _database = null!;
    private SqliteNamedValueStore _sqliteValues = null!;
    private SqliteItemStore _sqliteItems = null!;
    private SqliteNodeState _state = null!;
    private InMemoryNamedValueStore _memoryValues = null!;
    private FileStream _fsyncFile = null!;

    private NodeId[] _readTargets = [];
    private NamedValue[] _valuePuts = [];
    private StoredItem[] _itemPuts = [];
    private (NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)[] _contacts = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "dht-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, SqliteDatabase.FileName);

        var random = new Random(Seed);
        var values = new NamedValue[Prefilled];
        var items = new StoredItem[Prefilled];
        for (int i = 0; i < Prefilled; i++)
        {
            values[i] = RandomValue(NodeId.CreateRandom(random), seq: 1, random);
            items[i] = RandomItem(NodeId.CreateRandom(random), seq: 1, random);
        }

        // Creates the schema; the fill below then writes into it.
        new SqliteDatabase(path).Dispose();
        Fill(path, values, items);

        _database = new SqliteDatabase(path);
        _sqliteValues = new SqliteNamedValueStore(_database);
        _sqliteItems = new SqliteItemStore(_database);
        _state = new SqliteNodeState(_database);
        if (_sqliteValues.Count != Prefilled || _sqliteItems.Count != Prefilled
            || !_sqliteValues.TryGet(values[0].Target, out var value) || !value.Value.Span.SequenceEqual(values[0].Value.Span)
            || !_sqliteItems.TryGet(items[0].Target, out var item) || !item.Signature.Span.SequenceEqual(items[0].Signature.Span))
        {
            throw new InvalidOperationException("The prefilled rows do not read back through the stores.");
        }

        _memoryValues = new InMemoryNamedValueStore();
        foreach (var entry in values)
        {
            _ = _memoryValues.Put(entry);
        }

        // Each cycle holds distinct targets drawn from the prefilled ones, in random order.
        var chosen = Enumerable.Range(0, Prefilled).ToArray();
        random.Shuffle(chosen);
        _readTargets = [.. chosen.Take(CycleCount).Select(i => values[i].Target)];
        _valuePuts = [.. chosen.Take(CycleCount).Select(i => RandomValue(values[i].Target, seq: 2, random))];
        random.Shuffle(chosen);
        _itemPuts = [.. chosen.Take(CycleCount).Select(i => RandomItem(items[i].Target, seq: 2, random))];

        _contacts = new (NodeId, NetEndPoint, DateTimeOffset)[ContactsPerSave];
        for (int i = 0; i < _contacts.Length; i++)
        {
            _contacts[i] = (NodeId.CreateRandom(random), RandomEndPoint(random), Now);
        }

        random.NextBytes(_block);
        _fsyncFile = new FileStream(Path.Combine(_directory, "fsync.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        _fsyncFile.Write(_block);
        _fsyncFile.Flush(flushToDisk: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fsyncFile?.Dispose();
        _database?.Dispose();
        if (_directory.Length > 0 && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Replaces a held named value and waits until it is durable before the next: one commit, one fsync per put.</summary>
    [Benchmark]
    public int SqliteNamedValue_Put_OneFsyncEach() => PutDurably(_sqliteValues, _valuePuts);

    /// <summary>Replaces <see cref="Burst"/> held named values, then waits until the last is durable: group commit.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public int SqliteNamedValue_Put_GroupCommit() => PutBurstDurably(_sqliteValues, _valuePuts);

    /// <summary>Reads a held named value by target (served from memory).</summary>
    [Benchmark]
    public int SqliteNamedValue_TryGet()
    {
        var target = _readTargets[_next++ & (CycleCount - 1)];
        return _sqliteValues.TryGet(target, out var entry) ? entry.Value.Length : -1;
    }

    /// <summary>Replaces a held mutable BEP 44 item and waits until it is durable: one fsync per put.</summary>
    [Benchmark]
    public int SqliteItem_Put_OneFsyncEach() => PutDurably(_sqliteItems, _itemPuts);

    /// <summary>Replaces <see cref="Burst"/> held mutable BEP 44 items, then waits until the last is durable: group commit.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public int SqliteItem_Put_GroupCommit() => PutBurstDurably(_sqliteItems, _itemPuts);

    /// <summary>Replaces all saved contacts with <see cref="ContactsPerSave"/> rows and waits until durable: one fsync for all of them.</summary>
    [Benchmark(OperationsPerInvoke = ContactsPerSave)]
    public int SqliteNodeState_SaveContacts_PerRow()
    {
        _state.SaveContacts(_contacts).GetAwaiter().GetResult();
        return _contacts.Length;
    }

    /// <summary>The floor under every durable put: overwrite 4 KiB of a file and fsync it.</summary>
    [Benchmark]
    public long File_Write4KiB_Fsync()
    {
        _fsyncFile.Position = 0;
        _fsyncFile.Write(_block);
        _fsyncFile.Flush(flushToDisk: true);
        return _fsyncFile.Length;
    }

    /// <summary>Replaces a held named value in the dictionary store.</summary>
    [Benchmark]
    public int InMemoryNamedValue_Put()
    {
        _ = _memoryValues.Put(_valuePuts[_next++ & (CycleCount - 1)]);
        return _memoryValues.Count;
    }

    /// <summary>Reads a held named value from the dictionary store.</summary>
    [Benchmark]
    public int InMemoryNamedValue_TryGet()
    {
        var target = _readTargets[_next++ & (CycleCount - 1)];
        return _memoryValues.TryGet(target, out var entry) ? entry.Value.Length : -1;
    }

    // Blocking waits: the benchmark thread stands in for a node's loop that has nothing else to do.
    private int PutDurably<T>(IEntryStore<T> store, T[] puts)
        where T : class, IStoredEntry
    {
        store.Put(puts[_next++ & (CycleCount - 1)]).GetAwaiter().GetResult();
        return store.Count;
    }

    private int PutBurstDurably<T>(IEntryStore<T> store, T[] puts)
        where T : class, IStoredEntry
    {
        Task last = Task.CompletedTask;
        for (int i = 0; i < Burst; i++)
        {
            last = store.Put(puts[_next++ & (CycleCount - 1)]);
        }

        last.GetAwaiter().GetResult();
        return store.Count;
    }

    // One transaction, on its own connection, with the columns and encodings of SqliteSchema.
    private static void Fill(string path, NamedValue[] values, StoredItem[] items)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();

        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText =
                "INSERT INTO named_values (target, value, seq, stored_at, expires_at, is_tombstone, source_family, source_address, source_port) "
                + "VALUES ($target, $value, $seq, $stored_at, $expires_at, 0, 4, $address, $port)";
            var parameters = AddParameters(insert, "$target", "$value", "$seq", "$stored_at", "$expires_at", "$address", "$port");
            foreach (var value in values)
            {
                Bind(parameters, value.Target, value.Value, value.Seq, value.StoredAt, value.ExpiresAt, value.Source);
                insert.ExecuteNonQuery();
            }
        }

        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText =
                "INSERT INTO items (target, value, public_key, salt, seq, signature, stored_at, expires_at, source_family, source_address, source_port) "
                + "VALUES ($target, $value, $public_key, $salt, $seq, $signature, $stored_at, $expires_at, 4, $address, $port)";
            var parameters = AddParameters(insert, "$target", "$value", "$seq", "$stored_at", "$expires_at", "$address", "$port", "$public_key", "$salt", "$signature");
            foreach (var item in items)
            {
                Bind(parameters, item.Target, item.Value, item.Seq, item.StoredAt, item.ExpiresAt, item.Source);
                parameters[7].Value = item.PublicKey.ToArray();
                parameters[8].Value = item.Salt.ToArray();
                parameters[9].Value = item.Signature.ToArray();
                insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    private static SqliteParameter[] AddParameters(SqliteCommand command, params string[] names) =>
        [.. names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name }))];

    private static void Bind(
        SqliteParameter[] parameters, NodeId target, ReadOnlyMemory<byte> value, long seq, DateTimeOffset storedAt, DateTimeOffset expiresAt, NetEndPoint source)
    {
        Span<byte> address = stackalloc byte[16];
        int length = source.WriteAddress(address);
        parameters[0].Value = target.ToArray();
        parameters[1].Value = value.ToArray();
        parameters[2].Value = seq;
        parameters[3].Value = storedAt.UtcTicks;
        parameters[4].Value = expiresAt.UtcTicks;
        parameters[5].Value = address[..length].ToArray();
        parameters[6].Value = (int)source.Port;
    }

    private static NamedValue RandomValue(NodeId target, long seq, Random random) =>
        new(target, RandomBytes(ValueSize, random), seq, Now, Now.AddHours(24), IsTombstone: false, RandomEndPoint(random));

    // A mutable item: 32-byte key, 64-byte signature, no salt. Nothing verifies the signature at this layer.
    private static StoredItem RandomItem(NodeId target, long seq, Random random) =>
        new(target, RandomBytes(ValueSize, random), RandomBytes(32, random), ReadOnlyMemory<byte>.Empty, seq,
            RandomBytes(64, random), Now, Now.AddHours(2), RandomEndPoint(random));

    private static byte[] RandomBytes(int length, Random random)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static NetEndPoint RandomEndPoint(Random random) =>
        NetEndPoint.FromIPv4((uint)random.Next(0x01000000, int.MaxValue), (ushort)random.Next(1024, 65536));
}
