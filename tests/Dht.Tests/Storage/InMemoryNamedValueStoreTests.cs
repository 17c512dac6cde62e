using Dht.Storage;

namespace Dht.Tests.Storage;

public sealed class InMemoryNamedValueStoreTests : NamedValueStoreContractTests
{
    protected override INamedValueStore CreateStore() => new InMemoryNamedValueStore();
}
