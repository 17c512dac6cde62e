using Dht.Protocol;

namespace Dht.Storage;

/// <summary>What a <see cref="StorageIndex"/> remembers of one held entry.</summary>
/// <param name="Size">The value's length in bytes.</param>
/// <param name="Source">The sender's <see cref="SourceKey"/>; empty for a local write.</param>
/// <param name="ExpiresTicks">When the entry expires, in UTC ticks.</param>
/// <param name="ReceivedTicks">When a store from another node last arrived for it, in UTC ticks; 0 if none did.</param>
internal readonly record struct StorageIndexEntry(int Size, NetEndPoint Source, long ExpiresTicks, long ReceivedTicks);
