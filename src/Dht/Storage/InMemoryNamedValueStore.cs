namespace Dht.Storage;

/// <summary>Named values in memory; their contents end with the process.</summary>
public sealed class InMemoryNamedValueStore : InMemoryEntryStore<NamedValue>, INamedValueStore;
