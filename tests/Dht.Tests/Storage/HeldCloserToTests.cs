using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

/// <summary>The held targets a new contact is closer to than this node: what hand-over looks at, and only that.</summary>
public sealed class HeldCloserToTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReturnsExactlyTheTargetsTheNodeIsCloserTo_InOrderOfDistanceFromUs(int seed)
    {
        var random = new Random(seed);
        var local = NodeId.CreateRandom(random);
        var policy = new NamedValuePolicy(new InMemoryNamedValueStore(), local);
        List<NodeId> held = [];
        for (int i = 0; i < 400; i++)
        {
            // Half anywhere, half near us (as a node's own neighbourhood is): both kinds of range are exercised.
            var target = i % 2 == 0 ? NodeId.CreateRandom(random) : local.RandomWithPrefix(random.Next(4, 20), random);
            held.Add(target);
            policy.Put(target, "v"u8, 1, null, default, Now);
        }

        for (int n = 0; n < 60; n++)
        {
            var node = n % 3 == 0 ? NodeId.CreateRandom(random) : local.RandomWithPrefix(random.Next(0, 24), random);
            List<NodeId> found = [];
            policy.HeldCloserTo(node, int.MaxValue, found);

            var expected = held.Where(t => t.CompareDistance(node, local) < 0).OrderBy(t => t ^ local).ToList();
            Assert.True(expected.SequenceEqual(found), $"seed {seed}, node {node}: {found.Count} found, {expected.Count} expected");
        }
    }

    [Fact]
    public void LooksAtNoMoreThanItIsAllowed_AndSaysHowMany()
    {
        var random = new Random(5);
        var local = NodeId.CreateRandom(random);
        var policy = new NamedValuePolicy(new InMemoryNamedValueStore(), local);
        for (int i = 0; i < 300; i++)
        {
            policy.Put(NodeId.CreateRandom(random), "v"u8, 1, null, default, Now);
        }

        var node = NodeId.CreateRandom(random);
        List<NodeId> all = [];
        policy.HeldCloserTo(node, int.MaxValue, all);
        List<NodeId> some = [];
        int examined = policy.HeldCloserTo(node, 20, some);

        Assert.Equal(20, examined);
        Assert.True(some.Count <= 20);
        Assert.Equal(all.Take(some.Count), some);
    }

    [Fact]
    public void TargetsCloserToUsThanToTheNode_AreNotLookedAt()
    {
        var random = new Random(6);
        var local = NodeId.CreateRandom(random);
        var policy = new NamedValuePolicy(new InMemoryNamedValueStore(), local);
        for (int i = 0; i < 1000; i++)
        {
            policy.Put(local.RandomWithPrefix(12, random), "v"u8, 1, null, default, Now); // all share 12 bits with us
        }

        // A contact sharing 8 bits with us is farther than we are from every one of them.
        List<NodeId> found = [];
        int examined = policy.HeldCloserTo(local.RandomWithPrefix(8, random), int.MaxValue, found);

        Assert.Empty(found);
        Assert.Equal(0, examined);
    }
}
