using Dht.Protocol;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>
/// The named values this node published (a delete's tombstone included), which it re-publishes while it runs;
/// kept in the state store so that a restarted node goes on re-publishing them.
/// </summary>
internal sealed class PublishedValues
{
    private readonly INodeStateStore? _state;
    private readonly Dictionary<NodeId, Entry> _entries = [];

    public PublishedValues(INodeStateStore? state)
    {
        _state = state;
        foreach (var (key, value, seq) in state?.LoadPublished() ?? [])
        {
            _entries[NodeId.FromKey(key)] = new Entry(key, value, seq);
        }
    }

    public int Count => _entries.Count;

    public IReadOnlyCollection<Entry> All => _entries.Values;

    public bool Contains(NodeId target) => _entries.ContainsKey(target);

    public bool TryGet(NodeId target, out Entry entry) => _entries.TryGetValue(target, out entry!);

    /// <summary>Records a published value; the task completes when the record is durable.</summary>
    public Task Set(string key, ReadOnlySpan<byte> value, long seq)
    {
        _entries[NodeId.FromKey(key)] = new Entry(key, value.ToArray(), seq);
        return _state?.SavePublished(key, value, seq) ?? Task.CompletedTask;
    }

    /// <summary>Stops re-publishing <paramref name="target"/> (the network holds a newer version).</summary>
    public void Remove(NodeId target)
    {
        if (_entries.Remove(target, out var entry))
        {
            _state?.RemovePublished(entry.Key);
        }
    }

    public sealed record Entry(string Key, byte[] Value, long Seq)
    {
        public NodeId Target => NodeId.FromKey(Key);
    }
}
