using System.Net;

namespace Dht.Tests.Engine;

public sealed class DhtOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => new DhtOptions().Validate();

    [Theory]
    [InlineData(0, 1, "Transport.ReceiveBufferSize")]
    [InlineData(1, -1, "Transport.SendBufferSize")]
    public void NewNode_WithBadTransportSetting_ThrowsNamingIt(int receiveBuffer, int sendBuffer, string name)
    {
        var options = new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback };
        options.Transport.ReceiveBufferSize = receiveBuffer;
        options.Transport.SendBufferSize = sendBuffer;

        var e = Assert.Throws<ArgumentException>(() => new DhtNode(options));

        Assert.Equal(name, e.ParamName);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadAlpha_NamesIt()
    {
        var e = Assert.Throws<ArgumentException>(() => new DhtOptions { Alpha = 0 }.Validate());

        Assert.Equal(nameof(DhtOptions.Alpha), e.ParamName);
    }
}
