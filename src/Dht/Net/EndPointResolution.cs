using Dht.Protocol;

namespace Dht.Net;

/// <summary>What one <c>HOST:PORT</c> resolved to, or why it did not.</summary>
/// <param name="Text">The text as given.</param>
/// <param name="EndPoint">The address and port; null when <paramref name="Problem"/> says why not.</param>
/// <param name="Problem">
/// Null when resolved; else <see cref="HostEndPoint.Expected"/> for text that is not <c>HOST:PORT</c>,
/// or what the lookup said (<c>cannot resolve 'name': ...</c>).
/// </param>
public sealed record EndPointResolution(string Text, NetEndPoint? EndPoint, string? Problem)
{
    /// <summary>True when <see cref="EndPoint"/> is set.</summary>
    public bool Resolved => EndPoint is not null;
}
