using Dht.Engine.Network;
using Dht.Protocol;

namespace Dht.Tests.Engine.Network;

public sealed class PublicAddressVoteTests
{
    private static readonly NetEndPoint Public = NetEndPoint.Parse("203.0.113.7:6881");
    private static readonly NetEndPoint Lie = NetEndPoint.Parse("198.51.100.1:1");

    private static NetEndPoint Voter(int i) => NetEndPoint.Parse($"192.0.2.{i}:6881");

    [Fact]
    public void Add_WhenThreeAgree_SettlesTheAddress()
    {
        var vote = new PublicAddressVote();

        Assert.False(vote.Add(Voter(1), Public));
        Assert.False(vote.Add(Voter(2), Public));
        Assert.Null(vote.Winner);
        Assert.True(vote.Add(Voter(3), Public));
        Assert.Equal(Public, vote.Winner);
        Assert.False(vote.Add(Voter(4), Public)); // no change
    }

    [Fact]
    public void Add_OneVoterRepeating_CountsOnce()
    {
        var vote = new PublicAddressVote();

        for (int i = 0; i < 10; i++)
        {
            vote.Add(Voter(1), Lie);
        }

        Assert.Null(vote.Winner);
    }

    [Fact]
    public void Add_WhenLiarsAreAMinority_KeepsTheMajoritysAddress()
    {
        var vote = new PublicAddressVote();
        for (int i = 1; i <= 5; i++)
        {
            vote.Add(Voter(i), Public);
        }

        for (int i = 6; i <= 9; i++)
        {
            vote.Add(Voter(i), Lie);
        }

        Assert.Equal(Public, vote.Winner);
    }

    [Fact]
    public void Add_WhenTheAddressChanges_FollowsTheNewMajority()
    {
        var vote = new PublicAddressVote();
        for (int i = 1; i <= PublicAddressVote.Voters; i++)
        {
            vote.Add(Voter(i), Public);
        }

        var moved = NetEndPoint.Parse("203.0.113.8:6881");
        for (int i = 1; i <= PublicAddressVote.Voters / 2; i++)
        {
            Assert.False(vote.Add(Voter(i), moved)); // half is not a majority
        }

        Assert.True(vote.Add(Voter(PublicAddressVote.Voters), moved));
        Assert.Equal(moved, vote.Winner);
    }

    [Fact]
    public void Add_OnLoopback_CountsEachPortAsAVoter()
    {
        var vote = new PublicAddressVote();
        var seen = NetEndPoint.Parse("127.0.0.1:9000");
        for (int port = 1; port <= 3; port++)
        {
            vote.Add(NetEndPoint.Parse($"127.0.0.1:{8000 + port}"), seen);
        }

        Assert.Equal(seen, vote.Winner);
    }
}
