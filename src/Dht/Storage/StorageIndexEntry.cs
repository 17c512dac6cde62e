using Dht.Protocol;

namespace Dht.Storage;

/// <summary>What a <see cref="StorageIndex"/> remembers of one held entry.</summary>
internal readonly record struct StorageIndexEntry(int Size, NetEndPoint Source, long ExpiresTicks);
