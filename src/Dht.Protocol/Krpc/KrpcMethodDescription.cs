// One KRPC query method as the parser and the documentation see it: its wire name, the argument keys it
// requires and those it may carry, the keys its response may carry, and any rule that spans keys. The
// reason sent back in error 203 for a missing argument is derived from the required keys, in the order
// they are listed here ("missing info_hash or token"). Handlers, not this description, decide what a
// well-formed query means.
using System.Text;

namespace Dht.Protocol.Krpc;

/// <summary>The description of one KRPC query method.</summary>
internal sealed class KrpcMethodDescription
{
    private readonly byte[] _name;
    private readonly byte[] _encodedName;
    private readonly Func<KrpcMessage, string?>? _check;

    /// <summary>Describes a method.</summary>
    /// <param name="method">The id parsed queries carry in <see cref="KrpcMessage.Method"/>.</param>
    /// <param name="name">The wire name (the <c>q</c> key).</param>
    /// <param name="required">Argument keys a query must carry, besides the sender's id.</param>
    /// <param name="optional">Argument keys a query may carry.</param>
    /// <param name="returns">Keys the response may carry, besides the responder's id.</param>
    /// <param name="check">A rule across keys, run once the required keys are present: the reason to refuse the query with, or null.</param>
    public KrpcMethodDescription(
        KrpcMethod method,
        string name,
        IReadOnlyList<KrpcKey> required,
        IReadOnlyList<KrpcKey>? optional = null,
        IReadOnlyList<KrpcKey>? returns = null,
        Func<KrpcMessage, string?>? check = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(required);
        if (method == KrpcMethod.Unknown)
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown is the id of methods nobody described.");
        }

        Method = method;
        Name = name;
        _name = Encoding.UTF8.GetBytes(name);
        _encodedName = [.. Encoding.ASCII.GetBytes($"{_name.Length}:"), .. _name];
        Required = required;
        Optional = optional ?? [];
        Returns = returns ?? [];
        _check = check;
        foreach (var key in required)
        {
            RequiredFields |= key.Field;
        }

        QueryFields = RequiredFields;
        foreach (var key in Optional)
        {
            QueryFields |= key.Field;
        }

        foreach (var key in Returns)
        {
            ResponseFields |= key.Field;
        }

        MissingReason = MissingReasonFor(required);
    }

    /// <summary>The id parsed queries of this method carry.</summary>
    public KrpcMethod Method { get; }

    /// <summary>The wire name, also used in logs and metrics.</summary>
    public string Name { get; }

    /// <summary>The wire name's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Utf8Name => _name;

    /// <summary>The wire name as a bencoded string, formatted once for the writer.</summary>
    internal ReadOnlySpan<byte> EncodedName => _encodedName;

    /// <summary>Argument keys a query must carry, besides the sender's id.</summary>
    public IReadOnlyList<KrpcKey> Required { get; }

    /// <summary>Argument keys a query may carry.</summary>
    public IReadOnlyList<KrpcKey> Optional { get; }

    /// <summary>Keys a response may carry, besides the responder's id.</summary>
    public IReadOnlyList<KrpcKey> Returns { get; }

    /// <summary>The presence flags of <see cref="Required"/>.</summary>
    public KrpcFields RequiredFields { get; }

    /// <summary>The presence flags of <see cref="Required"/> and <see cref="Optional"/>: the argument keys a query may carry.</summary>
    public KrpcFields QueryFields { get; }

    /// <summary>The presence flags of <see cref="Returns"/>.</summary>
    public KrpcFields ResponseFields { get; }

    /// <summary>The reason sent back when a required key is missing; null when none is required.</summary>
    public string? MissingReason { get; }

    /// <summary>Checks a parsed query of this method: required keys first, then the rule across keys.</summary>
    internal KrpcParseResult Validate(KrpcMessage m)
    {
        if ((m.Fields & RequiredFields) != RequiredFields)
        {
            return KrpcParseResult.Malformed(MissingReason!);
        }

        return _check?.Invoke(m) is { } reason ? KrpcParseResult.Malformed(reason) : KrpcParseResult.Ok;
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>"missing a, b or c": the reason a message lacking one of <paramref name="keys"/> is refused with.</summary>
    internal static string? MissingReasonFor(IReadOnlyList<KrpcKey> keys) => keys.Count switch
    {
        0 => null,
        1 => "missing " + keys[0].Name,
        _ => "missing " + string.Join(", ", keys.Take(keys.Count - 1).Select(k => k.Name)) + " or " + keys[^1].Name,
    };
}
