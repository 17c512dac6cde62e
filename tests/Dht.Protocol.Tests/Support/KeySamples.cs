// Bencoded values for any row of the key table, derived from the row's type and limits, so that tests can
// walk the whole table (and any extension's keys) without naming a key.
using Dht.Protocol.Krpc;

namespace Dht.Protocol.Tests.Support;

internal static class KeySamples
{
    /// <summary>A value the key accepts, as Latin-1 bencode.</summary>
    public static string Valid(KrpcKey key) => key.Type switch
    {
        KrpcValueType.NodeId => "20:" + new string('n', NodeId.Size),
        KrpcValueType.String => String(key.MinLength > 0 ? key.MinLength : key.LengthMultiple > 1 ? key.LengthMultiple : 4),
        KrpcValueType.Integer => $"i{Math.Clamp(7, key.MinValue, key.MaxValue)}e",
        KrpcValueType.Flag => "i1e",
        KrpcValueType.List => "l2:n4e",
        KrpcValueType.StringList => "l6:abcdef6:ghijkle",
        _ => "d1:xi1ee",
    };

    /// <summary>Values the key refuses: the wrong type, and each limit overstepped by one.</summary>
    public static IEnumerable<string> Invalid(KrpcKey key)
    {
        switch (key.Type)
        {
            case KrpcValueType.NodeId:
                yield return "i1e";
                yield return String(NodeId.Size - 1);
                yield return String(NodeId.Size + 1);
                break;
            case KrpcValueType.String:
                yield return "i1e";
                if (key.MinLength > 0)
                {
                    yield return String(key.MinLength - 1);
                }

                if (key.MaxLength < int.MaxValue)
                {
                    yield return String(key.MaxLength + 1);
                }

                if (key.LengthMultiple > 1)
                {
                    yield return String(key.LengthMultiple + 1);
                }

                break;
            case KrpcValueType.Integer:
                yield return "1:x";
                if (key.MinValue > long.MinValue)
                {
                    yield return $"i{key.MinValue - 1}e";
                }

                if (key.MaxValue < long.MaxValue)
                {
                    yield return $"i{key.MaxValue + 1}e";
                }

                break;
            case KrpcValueType.Flag:
                yield return "1:x";
                break;
            case KrpcValueType.List:
                yield return "1:x";
                break;
            case KrpcValueType.StringList:
                yield return "1:x";
                yield return "l6:abcdefi1ee";
                break;
        }
    }

    /// <summary>A dictionary body holding the given keys (plus the key every body needs) with valid values, in byte order.</summary>
    public static string Body(KrpcSchema schema, IEnumerable<KrpcKey> keys)
    {
        var wanted = keys.ToHashSet();
        return "d" + string.Concat(schema.Keys.Where(k => k.InEveryBody || wanted.Contains(k)).Select(k => $"{k.Name.Length}:{k.Name}{Valid(k)}")) + "e";
    }

    /// <summary>A query datagram for <paramref name="method"/> with <paramref name="body"/> as its arguments.</summary>
    public static string Query(string method, string body) => $"d1:a{body}1:q{method.Length}:{method}1:t2:aa1:y1:qe";

    /// <summary>A response datagram with <paramref name="body"/> as its return values.</summary>
    public static string Response(string body) => $"d1:r{body}1:t2:aa1:y1:re";

    private static string String(int length) => $"{length}:{new string('s', length)}";
}
