using Dht.Crypto;
using Dht.Protocol;
using Dht.Storage;
using Dht.Storage.Sqlite;

namespace Dht.Tests.Sqlite;

public sealed class SqliteNodeStateTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TemporaryDirectory _directory = new();
    private readonly Random _random = new(20250101);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryLoadIdentity_NothingSaved_ReturnsFalse()
    {
        using var database = Open();

        Assert.False(new SqliteNodeState(database).TryLoadIdentity(out _, out var seed));
        Assert.Null(seed);
    }

    [Fact]
    public void SaveIdentity_ThenReopen_LoadsTheSameIdAndSeed()
    {
        var id = NodeId.CreateRandom(_random);
        var seed = Ed25519KeyPair.Generate().ExportSeed();
        using (var database = Open())
        {
            new SqliteNodeState(database).SaveIdentity(id, seed);
        }

        using var reopened = Open();
        Assert.True(new SqliteNodeState(reopened).TryLoadIdentity(out var loadedId, out var loadedSeed));
        Assert.Equal(id, loadedId);
        Assert.Equal(seed, loadedSeed);
        Assert.Equal(Ed25519KeyPair.FromSeed(seed).PublicKey.ToArray(), Ed25519KeyPair.FromSeed(loadedSeed).PublicKey.ToArray());
    }

    [Fact]
    public void SaveIdentity_Again_ReplacesTheFirst()
    {
        using var database = Open();
        var state = new SqliteNodeState(database);
        state.SaveIdentity(NodeId.CreateRandom(_random), new byte[32]);
        var id = NodeId.CreateRandom(_random);
        var seed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

        state.SaveIdentity(id, seed);

        Assert.True(state.TryLoadIdentity(out var loadedId, out var loadedSeed));
        Assert.Equal(id, loadedId);
        Assert.Equal(seed, loadedSeed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(64)]
    public void SaveIdentity_SeedOfWrongLength_Throws(int length)
    {
        using var database = Open();
        var state = new SqliteNodeState(database);

        Assert.Throws<ArgumentException>(() => { _ = state.SaveIdentity(NodeId.Zero, new byte[length]); });
        Assert.False(state.TryLoadIdentity(out _, out _));
    }

    [Fact]
    public void SaveContacts_ThenReopen_LoadsTheSameContactsInOrder()
    {
        var contacts = Contacts(20);
        using (var database = Open())
        {
            new SqliteNodeState(database).SaveContacts(contacts);
        }

        using var reopened = Open();
        Assert.Equal(contacts, new SqliteNodeState(reopened).LoadContacts());
    }

    [Fact]
    public void SaveContacts_Again_ReplacesTheWholeSet()
    {
        using var database = Open();
        var state = new SqliteNodeState(database);
        state.SaveContacts(Contacts(10));
        var second = Contacts(3);

        state.SaveContacts(second);

        Assert.Equal(second, state.LoadContacts());
    }

    [Fact]
    public void SaveContacts_Empty_ClearsTheSet()
    {
        using var database = Open();
        var state = new SqliteNodeState(database);
        state.SaveContacts(Contacts(5));

        state.SaveContacts([]);

        Assert.Empty(state.LoadContacts());
    }

    [Fact]
    public void SaveContacts_DuplicateId_ThrowsAndKeepsThePreviousSet()
    {
        using var database = Open();
        var state = new SqliteNodeState(database);
        var first = Contacts(4);
        state.SaveContacts(first);
        var duplicated = Contacts(3);
        duplicated.Add(duplicated[0] with { LastSeen = Start });

        Assert.Throws<ArgumentException>(() => { _ = state.SaveContacts(duplicated); });

        Assert.Equal(first, state.LoadContacts());
    }

    [Fact]
    public void LoadContacts_NothingSaved_IsEmpty()
    {
        using var database = Open();

        Assert.Empty(new SqliteNodeState(database).LoadContacts());
    }

    [Fact]
    public void SavePublished_ThenReopen_LoadsEveryKeyValueAndSeq()
    {
        using (var database = Open())
        {
            var state = new SqliteNodeState(database);
            state.SavePublished("hello", "world"u8, 1_700_000_000_000_000);
            state.SavePublished("empty", [], long.MaxValue);
            state.SavePublished("ключ", new byte[1000], -5);
        }

        using var reopened = Open();
        var published = new SqliteNodeState(reopened).LoadPublished();

        Assert.Equal(3, published.Count);
        Assert.Equal(["empty", "hello", "ключ"], published.Select(p => p.Key));
        Assert.Empty(published[0].Value);
        Assert.Equal(long.MaxValue, published[0].Seq);
        Assert.Equal("world"u8.ToArray(), published[1].Value);
        Assert.Equal(1_700_000_000_000_000, published[1].Seq);
        Assert.Equal(new byte[1000], published[2].Value);
        Assert.Equal(-5, published[2].Seq);
    }

    [Fact]
    public void SavePublished_SameKey_ReplacesValueAndSeq()
    {
        using var database = Open();
        var state = new SqliteNodeState(database);
        state.SavePublished("hello", "world"u8, 1);

        state.SavePublished("hello", "there"u8, 2);

        var only = Assert.Single(state.LoadPublished());
        Assert.Equal("there"u8.ToArray(), only.Value);
        Assert.Equal(2, only.Seq);
    }

    [Fact]
    public void RemovePublished_ThenReopen_IsGone()
    {
        using (var database = Open())
        {
            var state = new SqliteNodeState(database);
            state.SavePublished("a", [1], 1);
            state.SavePublished("b", [2], 2);

            Assert.True(state.RemovePublished("a"));
            Assert.False(state.RemovePublished("a"));
            Assert.False(state.RemovePublished("never"));
        }

        using var reopened = Open();
        Assert.Equal(["b"], new SqliteNodeState(reopened).LoadPublished().Select(p => p.Key));
    }

    [Fact]
    public async Task Saves_CompleteOnceDurable_AndAStoppedDatabaseHasThemAll()
    {
        var id = NodeId.CreateRandom(_random);
        var contacts = Contacts(5);
        using var database = Open();
        var state = new SqliteNodeState(database);

        await state.SaveIdentity(id, new byte[32]);
        await state.SaveContacts(contacts);
        _ = state.SavePublished("gone", [1], 1);
        Assert.True(state.RemovePublished("gone"));
        await state.SavePublished("kept", [2], 2);

        // The files as a crash would leave them now: what the completed tasks acknowledged is in them.
        using var crashed = new SqliteDatabase(SqliteFiles.CopyAsCrashed(database.Path, _directory.File("crashed")));
        var recovered = new SqliteNodeState(crashed);
        Assert.True(recovered.TryLoadIdentity(out var loadedId, out _));
        Assert.Equal(id, loadedId);
        Assert.Equal(contacts, recovered.LoadContacts());
        Assert.Equal(["kept"], recovered.LoadPublished().Select(p => p.Key));
    }

    [Fact]
    public void Loads_AnswerWhatWasSavedSinceOpening()
    {
        using var database = Open();
        var state = new SqliteNodeState(database);
        var contacts = Contacts(3);

        state.SaveContacts(contacts);
        state.SavePublished("a", [1], 1);

        Assert.Equal(contacts, state.LoadContacts());
        Assert.Equal(["a"], state.LoadPublished().Select(p => p.Key));
    }

    [Fact]
    public void NodeStateAndStores_ShareOneDatabase()
    {
        using (var database = Open())
        {
            new SqliteNodeState(database).SaveIdentity(NodeId.Zero, new byte[32]);
            new SqliteNamedValueStore(database).Put(new NamedValue(
                NodeId.FromKey("k"), new byte[] { 1 }, 1, Start, Start.AddHours(1), false, default));
        }

        using var reopened = Open();
        Assert.True(new SqliteNodeState(reopened).TryLoadIdentity(out _, out _));
        Assert.Equal(1, new SqliteNamedValueStore(reopened).Count);
    }

    private SqliteDatabase Open() => new(_directory.File("node.db"));

    private List<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> Contacts(int count)
    {
        var contacts = new List<(NodeId, NetEndPoint, DateTimeOffset)>();
        for (int i = 0; i < count; i++)
        {
            var endPoint = i % 3 == 2
                ? NetEndPoint.Parse($"[2001:db8::{i + 1:x}]:{6881 + i}")
                : NetEndPoint.FromIPv4((uint)(0x0A000000 + i + 1), (ushort)(6881 + i));
            contacts.Add((NodeId.CreateRandom(_random), endPoint, Start.AddSeconds(-i * 37)));
        }

        return contacts;
    }
}
