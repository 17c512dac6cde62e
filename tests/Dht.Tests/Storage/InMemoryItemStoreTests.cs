using Dht.Storage;

namespace Dht.Tests.Storage;

public sealed class InMemoryItemStoreTests : ItemStoreContractTests
{
    protected override IItemStore CreateStore() => new InMemoryItemStore();
}
