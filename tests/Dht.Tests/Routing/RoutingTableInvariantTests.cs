using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

public sealed class RoutingTableInvariantTests
{
    public static TheoryData<int> Seeds => [101, 202, 303, 404, 505];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomOperations_KeepTheTableConsistent(int seed)
    {
        var nodes = new RoutingTestNodes(seed);
        var random = nodes.Random;
        var table = nodes.NewTable(new RoutingTableOptions { BucketSize = 4, ReplacementCacheSize = 3 });
        var seen = new List<NodeInfo>();
        var now = RoutingTestNodes.T0;
        var closest = new List<NodeInfo>();
        var toPing = new List<NodeInfo>();
        var refresh = new List<NodeId>();
        var outcomes = new HashSet<InsertOutcome>();

        for (int step = 0; step < 3000; step++)
        {
            now += TimeSpan.FromSeconds(random.Next(0, 4));
            int op = random.Next(100);
            string what;
            if (op < 45 || seen.Count == 0)
            {
                var node = random.Next(3) == 0 ? nodes.AnyNode() : nodes.WithPrefix(random.Next(0, 12));
                seen.Add(node);
                what = $"heard new {node}";
                outcomes.Add(table.Heard(node, isResponse: random.Next(4) != 0, now).Outcome);
            }
            else if (op < 65)
            {
                var node = seen[random.Next(seen.Count)];
                what = $"heard again {node}";
                outcomes.Add(table.Heard(node, isResponse: random.Next(3) != 0, now).Outcome);
            }
            else if (op < 70)
            {
                // A known id at a new address, or a known address under a new id.
                var known = seen[random.Next(seen.Count)];
                var node = random.Next(2) == 0
                    ? known with { EndPoint = nodes.NextEndPoint() }
                    : known with { Id = nodes.WithPrefix(random.Next(0, 12)).Id };
                seen.Add(node);
                what = $"heard conflicting {node}";
                outcomes.Add(table.Heard(node, isResponse: random.Next(2) == 0, now).Outcome);
            }
            else if (op < 88)
            {
                var node = seen[random.Next(seen.Count)];
                what = $"failed {node}";
                table.Failed(node, now);
            }
            else if (op < 91)
            {
                var node = seen[random.Next(seen.Count)];
                what = $"removed {node}";
                table.Remove(node.Id);
            }
            else if (op < 96)
            {
                what = "pinged questionable";
                table.QuestionableToPing(now, 3, toPing);
                foreach (var node in toPing)
                {
                    table.MarkPinged(node.Id, now);
                }
            }
            else
            {
                what = "refresh";
                table.BucketsNeedingRefresh(now, random, refresh);
                foreach (var target in refresh)
                {
                    table.FindClosest(target, 8, closest);
                    table.Touch(target, now);
                }
            }

            CheckInvariants(table, now, $"seed {seed}, step {step} ({what})");
        }

        Assert.True(table.BucketCount > 3, $"seed {seed}: only {table.BucketCount} buckets");
        Assert.True(outcomes.Count == 5, $"seed {seed}: only {string.Join(", ", outcomes)} happened");
    }

    private static void CheckInvariants(RoutingTable table, DateTimeOffset now, string context)
    {
        var buckets = table.Snapshot(now);
        var contacts = table.Contacts.ToList();
        var replacements = table.Replacements.ToList();
        Check(contacts.Count == table.Count, context, "Count matches the contacts");
        Check(buckets.Sum(b => b.Count) == table.Count, context, "bucket counts add up");
        Check(buckets.Sum(b => b.Replacements) == replacements.Count, context, "replacement counts add up");
        Check(contacts.Select(c => c.Id).Distinct().Count() == contacts.Count, context, "ids are unique");
        Check(contacts.Select(c => c.EndPoint).Distinct().Count() == contacts.Count, context, "addresses are unique");
        Check(!replacements.Any(r => table.TryGet(r.Id, out _)), context, "no id is both a contact and a candidate");
        Check(!contacts.Any(c => c.Id == table.LocalId), context, "never our own id");

        foreach (var bucket in buckets)
        {
            Check(bucket.Count <= table.Options.BucketSize, context, $"bucket {bucket.Index} over k");
            Check(bucket.Replacements <= table.Options.ReplacementCacheSize, context, $"cache {bucket.Index} over its size");
        }

        int previousIndex = 0;
        var previousSeen = DateTimeOffset.MinValue;
        foreach (var contact in contacts)
        {
            int index = table.BucketIndexOf(contact.Id);
            Check(buckets[index].Covers(contact.Id), context, $"{contact} outside bucket {index}");
            Check(table.TryGet(contact.Id, out var found) && ReferenceEquals(found, contact), context, $"{contact} not found by id");
            Check(index >= previousIndex, context, "contacts enumerate bucket by bucket");
            if (index != previousIndex)
            {
                previousSeen = DateTimeOffset.MinValue;
            }

            Check(contact.LastSeen >= previousSeen, context, $"bucket {index} not in least-recently-seen order at {contact}");
            previousIndex = index;
            previousSeen = contact.LastSeen;
        }

        foreach (var candidate in replacements)
        {
            Check(buckets[table.BucketIndexOf(candidate.Id)].Covers(candidate.Id), context, $"candidate {candidate} outside its bucket");
        }
    }

    private static void Check(bool condition, string context, string what)
    {
        if (!condition)
        {
            Assert.Fail($"{context}: {what}");
        }
    }
}
