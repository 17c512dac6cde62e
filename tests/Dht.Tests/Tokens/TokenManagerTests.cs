using Dht.Protocol;
using Dht.Tokens;

namespace Dht.Tests.Tokens;

public sealed class TokenManagerTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TokenManager.DefaultRotationInterval;
    private static readonly NetEndPoint Requester = NetEndPoint.FromIPv4(0xC6336401, 6881); // 198.51.100.1
    private static readonly NetEndPoint OtherHost = NetEndPoint.FromIPv4(0xC6336402, 6881); // 198.51.100.2

    private static byte[] Issue(TokenManager tokens, NetEndPoint requester, DateTimeOffset now)
    {
        var token = new byte[TokenManager.TokenSize];
        Assert.Equal(TokenManager.TokenSize, tokens.WriteToken(requester, now, token));
        return token;
    }

    [Fact]
    public void Validate_SameAddressAnyPort_IsValid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);

        Assert.True(tokens.Validate(Requester, token, Start));
        Assert.True(tokens.Validate(Requester.WithPort(51413), token, Start.AddSeconds(30)));
    }

    [Fact]
    public void Validate_OtherAddress_IsInvalid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);

        Assert.False(tokens.Validate(OtherHost, token, Start));
    }

    [Fact]
    public void Validate_AfterOneRotation_IsStillValid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);

        Assert.True(tokens.Validate(Requester, token, Start + Interval));
        Assert.True(tokens.Validate(Requester, token, Start + Interval + Interval - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Validate_AfterTwoRotations_IsInvalid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);

        Assert.False(tokens.Validate(Requester, token, Start + (2 * Interval)));
    }

    [Fact]
    public void Validate_AfterTwoRotationsSeenOneByOne_IsInvalid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);

        Assert.True(tokens.Validate(Requester, token, Start + Interval));
        Assert.False(tokens.Validate(Requester, token, Start + (2 * Interval)));
    }

    [Fact]
    public void Validate_TokenIssuedLateInAPeriod_ExpiresWithItsSecretNotWithItsAge()
    {
        var tokens = new TokenManager();
        Issue(tokens, OtherHost, Start); // starts the first period
        var late = Issue(tokens, Requester, Start + Interval - TimeSpan.FromSeconds(1));

        Assert.True(tokens.Validate(Requester, late, Start + (2 * Interval) - TimeSpan.FromSeconds(1)));
        Assert.False(tokens.Validate(Requester, late, Start + (2 * Interval)));
    }

    [Fact]
    public void WriteToken_AfterRotation_GivesANewTokenWhileTheOldOneStaysValid()
    {
        var tokens = new TokenManager();
        var before = Issue(tokens, Requester, Start);
        var after = Issue(tokens, Requester, Start + Interval);

        Assert.NotEqual(before, after);
        Assert.True(tokens.Validate(Requester, before, Start + Interval));
        Assert.True(tokens.Validate(Requester, after, Start + Interval));
    }

    [Fact]
    public void WriteToken_WithinAPeriod_IsStable()
    {
        var tokens = new TokenManager();

        Assert.Equal(Issue(tokens, Requester, Start), Issue(tokens, Requester, Start + Interval - TimeSpan.FromTicks(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(20)]
    public void Validate_WrongLength_IsInvalid(int length)
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);
        var wrong = new byte[length];
        token.AsSpan(0, Math.Min(length, token.Length)).CopyTo(wrong);

        Assert.False(tokens.Validate(Requester, wrong, Start));
    }

    [Fact]
    public void Validate_OneBitFlipped_IsInvalid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);
        token[5] ^= 0x10;

        Assert.False(tokens.Validate(Requester, token, Start));
    }

    [Fact]
    public void Validate_TokenFromAnotherNode_IsInvalid()
    {
        var ours = new TokenManager();
        var theirs = new TokenManager();
        var token = Issue(theirs, Requester, Start);

        Assert.False(ours.Validate(Requester, token, Start));
    }

    [Fact]
    public void Validate_IPv6Requester_IsBoundToItsAddress()
    {
        var tokens = new TokenManager();
        var v6 = NetEndPoint.FromIPv6(Convert.FromHexString("20010db8000000000000000000000001"), 6881);
        var otherV6 = NetEndPoint.FromIPv6(Convert.FromHexString("20010db8000000000000000000000002"), 6881);
        var token = Issue(tokens, v6, Start);

        Assert.True(tokens.Validate(v6.WithPort(1), token, Start));
        Assert.False(tokens.Validate(otherV6, token, Start));
    }

    [Fact]
    public void Validate_AfterClockSteppedBack_KeepsCurrentTokensValid()
    {
        var tokens = new TokenManager();
        var token = Issue(tokens, Requester, Start);

        Assert.True(tokens.Validate(Requester, token, Start - TimeSpan.FromHours(1)));
        Assert.True(tokens.Validate(Requester, token, Start + Interval));
    }

    [Fact]
    public void Rotation_WithCustomInterval_FollowsIt()
    {
        var tokens = new TokenManager(TimeSpan.FromSeconds(10));
        var token = Issue(tokens, Requester, Start);

        Assert.True(tokens.Validate(Requester, token, Start.AddSeconds(19)));
        Assert.False(tokens.Validate(Requester, token, Start.AddSeconds(20)));
    }

    [Fact]
    public void WriteToken_IntoShortDestination_Throws()
    {
        var tokens = new TokenManager();

        Assert.Throws<ArgumentException>(() => tokens.WriteToken(Requester, Start, new byte[TokenManager.TokenSize - 1]));
    }

    [Fact]
    public void Constructor_NonPositiveInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenManager(TimeSpan.Zero));
    }

    [Fact]
    public void WriteAndValidate_InSteadyState_AllocateNothing()
    {
        var tokens = new TokenManager();
        Span<byte> token = stackalloc byte[TokenManager.TokenSize];
        tokens.WriteToken(Requester, Start, token);
        tokens.Validate(Requester, token, Start);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool allValid = true;
        for (int i = 0; i < 100; i++)
        {
            var now = Start + TimeSpan.FromSeconds(i * 10); // crosses rotations too
            tokens.WriteToken(Requester, now, token);
            allValid &= tokens.Validate(Requester, token, now);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allValid);
        Assert.Equal(0, allocated);
    }
}
