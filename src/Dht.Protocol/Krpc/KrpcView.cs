// The checks behind the typed message views (Messages/*Query, *Response and the extensions' own): a view is
// taken over a message of its kind and method only. A mismatch is a programmer error, caught where the view is
// taken rather than as a wrong key on the wire.
namespace Dht.Protocol.Krpc;

/// <summary>Checks a message before a typed view is taken over it.</summary>
internal static class KrpcView
{
    /// <summary>Returns <paramref name="message"/> when it is a query of <paramref name="method"/>; throws otherwise.</summary>
    public static KrpcMessage Query(KrpcMessage message, KrpcMethod method)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != KrpcMessageKind.Query || message.Method != method)
        {
            throw new ArgumentException($"Not a {KrpcMethods.DisplayName(method)} query: {message.Kind} {KrpcMethods.DisplayName(message.Method)}.", nameof(message));
        }

        return message;
    }

    /// <summary>Returns <paramref name="message"/> when it is a response; throws otherwise.</summary>
    public static KrpcMessage Response(KrpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != KrpcMessageKind.Response)
        {
            throw new ArgumentException($"Not a response: {message.Kind}.", nameof(message));
        }

        return message;
    }
}
