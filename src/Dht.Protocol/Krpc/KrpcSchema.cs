// The keys and methods one parser and writer understand: the core tables (KrpcKeys, KrpcCoreMethods) plus those
// of any extension, put together and checked once. The parser finds keys and methods here; the writer emits
// keys in this schema's order, which is bencode byte order, so no message type orders its own keys.
//
// Lookups run once per key of every datagram: keys are bucketed by length (KRPC keys are 1 to 12 bytes and
// few share a length), so finding one is an array index and a comparison or two, with no hashing and
// nothing allocated. A schema is immutable; With builds a new one.
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Protocol.Krpc;

/// <summary>A set of KRPC keys and methods: what a parser accepts and a writer emits.</summary>
internal sealed class KrpcSchema
{
    private readonly KrpcKey[] _keys;
    private readonly KrpcKey[][] _keysByLength;
    private readonly KrpcMethodDescription[] _methods;
    private readonly KrpcMethodDescription?[] _methodsById = new KrpcMethodDescription?[byte.MaxValue + 1];

    /// <summary>Builds a schema; throws when two keys share a name or a field, two methods share a name or an id, or a method uses a key not given.</summary>
    public KrpcSchema(IEnumerable<KrpcKey> keys, IEnumerable<KrpcMethodDescription> methods)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(methods);
        _keys = [.. keys];
        Array.Sort(_keys, static (a, b) => a.Utf8Name.SequenceCompareTo(b.Utf8Name));
        int longest = 0;
        for (int i = 0; i < _keys.Length; i++)
        {
            var key = _keys[i];
            if ((i > 0 && key.Utf8Name.SequenceEqual(_keys[i - 1].Utf8Name)) || (KeyFields & key.Field) != 0)
            {
                throw new ArgumentException($"Key '{key.Name}' is described twice or shares its field flag.", nameof(keys));
            }

            KeyFields |= key.Field;
            longest = Math.Max(longest, key.Utf8Name.Length);
            if (key.InEveryBody)
            {
                BodyFields |= key.Field;
            }
        }

        _keysByLength = new KrpcKey[longest + 1][];
        for (int length = 0; length <= longest; length++)
        {
            _keysByLength[length] = [.. _keys.Where(k => k.Utf8Name.Length == length)];
        }

        _methods = [.. methods];
        foreach (var method in _methods)
        {
            if (_methodsById[(byte)method.Method] is not null || _methods.Count(m => m.Name == method.Name) > 1)
            {
                throw new ArgumentException($"Method '{method.Name}' is described twice or shares its id.", nameof(methods));
            }

            var missing = method.Required.Concat(method.Optional).Concat(method.Returns).FirstOrDefault(k => !_keys.Contains(k));
            if (missing is not null)
            {
                throw new ArgumentException($"Method '{method.Name}' uses key '{missing.Name}', which this schema does not describe.", nameof(methods));
            }

            _methodsById[(byte)method.Method] = method;
            MethodIdLimit = Math.Max(MethodIdLimit, (int)method.Method + 1);
        }

        BodyMissingReason = KrpcMethodDescription.MissingReasonFor([.. _keys.Where(k => k.InEveryBody)]);
    }

    /// <summary>BEP 5 and BEP 44.</summary>
    public static KrpcSchema Core { get; } = new(KrpcKeys.All, KrpcCoreMethods.All);

    /// <summary>What a node speaks: the core and the named-value extension.</summary>
    public static KrpcSchema Default { get; } = Core.With(NamedValueMessages.Keys, NamedValueMessages.Methods);

    /// <summary>The keys, in bencode byte order (the order they are written in).</summary>
    public IReadOnlyList<KrpcKey> Keys => _keys;

    /// <summary>The keys in bencode byte order, for the writer's loop.</summary>
    internal ReadOnlySpan<KrpcKey> OrderedKeys => _keys;

    /// <summary>The methods.</summary>
    public IReadOnlyList<KrpcMethodDescription> Methods => _methods;

    /// <summary>One above the highest method id described: the size of a table indexed by method id.</summary>
    public int MethodIdLimit { get; }

    /// <summary>The presence flags of <see cref="Keys"/>.</summary>
    internal KrpcFields KeyFields { get; }

    /// <summary>The keys every argument and return-value dictionary must carry.</summary>
    internal KrpcFields BodyFields { get; }

    /// <summary>The reason sent back when one of <see cref="BodyFields"/> is missing.</summary>
    internal string? BodyMissingReason { get; }

    /// <summary>A schema with these keys and methods added.</summary>
    public KrpcSchema With(IEnumerable<KrpcKey> keys, IEnumerable<KrpcMethodDescription> methods) =>
        new(_keys.Concat(keys), _methods.Concat(methods));

    /// <summary>The description of a key, or null when this schema does not know it.</summary>
    public KrpcKey? FindKey(ReadOnlySpan<byte> name)
    {
        if ((uint)name.Length >= (uint)_keysByLength.Length)
        {
            return null;
        }

        foreach (var key in _keysByLength[name.Length])
        {
            if (name.SequenceEqual(key.Utf8Name))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>The description of a method, or null when this schema does not know it.</summary>
    public KrpcMethodDescription? Describe(KrpcMethod method) => _methodsById[(byte)method];

    /// <summary>The wire name of a method; a method this schema does not describe is a programmer error.</summary>
    public ReadOnlySpan<byte> NameOf(KrpcMethod method) => DescribeKnown(method).Utf8Name;

    /// <summary>The description of a method this schema must know.</summary>
    internal KrpcMethodDescription DescribeKnown(KrpcMethod method) =>
        Describe(method) ?? throw new ArgumentOutOfRangeException(nameof(method), method, "The method is not in this schema.");

    /// <summary>The method a wire name stands for, or <see cref="KrpcMethod.Unknown"/>.</summary>
    public KrpcMethod ParseMethod(ReadOnlySpan<byte> name)
    {
        foreach (var method in _methods)
        {
            if (name.SequenceEqual(method.Utf8Name))
            {
                return method.Method;
            }
        }

        return KrpcMethod.Unknown;
    }
}
