namespace Dht.Cli.Tests;

/// <summary>The test classes that talk to one shared <see cref="OneShotNetwork"/> (three node processes), one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class OneShotCollection : ICollectionFixture<OneShotNetwork>
{
    public const string Name = "one-shot network";
}
