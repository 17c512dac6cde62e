namespace Dht.Storage;

/// <summary>BEP 44 items in memory; their contents end with the process.</summary>
public sealed class InMemoryItemStore : InMemoryEntryStore<StoredItem>, IItemStore;
