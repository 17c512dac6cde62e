namespace Dht.Storage;

/// <summary>Where named values live (DESIGN.md section 3); see <see cref="IEntryStore{T}"/>.</summary>
public interface INamedValueStore : IEntryStore<NamedValue>;
