namespace Dht.Storage;

/// <summary>Where BEP 44 items live; see <see cref="IEntryStore{T}"/>.</summary>
public interface IItemStore : IEntryStore<StoredItem>;
