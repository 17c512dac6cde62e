// Grammar-aware fuzzing: every datagram starts as a well-formed KRPC message of some method (each BEP 5 and
// BEP 44 query, our find_value and store, responses, errors, unknown methods), built with the source's
// id and, for the writes, the token the node handed that source, so that the handlers behind the parser are
// reached too. Then it is broken on purpose, in the ways hostile peers break messages: values of the wrong
// type, lengths that lie, deep nesting, duplicate and unsorted keys, missing and extra keys, integers at
// their limits, wrong sizes, another method or message type, spliced parts of other messages; and, after
// encoding, truncation, bit flips and trailing bytes. The corpus files are sent as they are and mutated too.
using System.Buffers;
using System.Text;

namespace Dht.Adversary;

/// <summary>Mutated KRPC datagrams from a seed.</summary>
internal sealed class DatagramGenerator
{
    private static readonly string[] Methods =
    [
        "ping", "find_node", "get_peers", "announce_peer", "get", "put", "find_value", "store",
        "sample_infohashes", "vote", "", "PING", "find_node\0", new string('q', 300),
    ];

    private static readonly string[] Keys =
    [
        "id", "target", "info_hash", "token", "port", "implied_port", "v", "k", "sig", "seq", "cas", "salt", "want",
        "nodes", "nodes6", "values", "ttl", "seed", "t", "y", "q", "a", "r", "e", "ro", "ip", "", "\u00ff",
    ];

    private static readonly string[] IntegerTexts =
    [
        "-0", "00", "01", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999", "", "-", "1.5", "0x10", " 1", "4294967296", "65536", "-1",
    ];

    private static readonly string[] LyingLengths = ["2147483647", "4294967296", "99999999999", "1000000000000000000000000000000", "-1", "01"];

    private readonly Random _random;
    private readonly byte[][] _corpus;
    private readonly byte[][] _infoHashes;
    private readonly byte[][] _targets;
    private readonly List<BValue> _nodes = [];
    private readonly List<BValue> _strings = [];
    private readonly List<BValue> _integers = [];
    private readonly List<BValue> _dictionaries = [];
    private readonly ArrayBufferWriter<byte> _scratch = new(2048);

    public DatagramGenerator(int seed, byte[][] corpus)
    {
        _random = new Random(seed);
        _corpus = corpus;

        // A few info-hashes and targets are reused, so announces and puts pile up on them and gets find them.
        _infoHashes = [.. Enumerable.Range(0, 16).Select(_ => Bytes(20))];
        _targets = [.. Enumerable.Range(0, 16).Select(_ => Bytes(20))];
    }

    public long Valid { get; private set; }

    public long Mutated { get; private set; }

    public long FromCorpus { get; private set; }

    /// <summary>Writes one datagram for <paramref name="source"/> into <paramref name="output"/>.</summary>
    public void Generate(FuzzSource source, ArrayBufferWriter<byte> output)
    {
        output.ResetWrittenCount();
        int dice = _random.Next(100);
        if (dice < 8 && _corpus.Length > 0)
        {
            FromCorpus++;
            Write(output, _corpus[_random.Next(_corpus.Length)]);
            if (_random.Next(2) == 0)
            {
                MutateBytes(output);
            }

            return;
        }

        var message = Template(source);
        if (dice < 23)
        {
            Valid++;
            message.Encode(output);
            return;
        }

        Mutated++;
        int mutations = 1 + _random.Next(3);
        for (int i = 0; i < mutations; i++)
        {
            MutateTree(message, source);
        }

        message.Encode(output);
        if (_random.Next(4) == 0)
        {
            MutateBytes(output);
        }

        if (output.WrittenCount > 65_000)
        {
            // Past what one UDP datagram carries: keep the head, which is where the parser looks first.
            var head = output.WrittenSpan[..65_000].ToArray();
            output.ResetWrittenCount();
            Write(output, head);
        }
    }

    private BValue Template(FuzzSource source)
    {
        var id = BValue.Str(_random.Next(5) == 0 ? Bytes(20) : source.Id.ToArray());
        BValue t = BValue.Str(Bytes(_random.Next(10) == 0 ? 1 + _random.Next(4) : 2));
        byte[] token = source.Token ?? Bytes(8);
        BValue Query(string method, params (string, BValue)[] arguments) =>
            BValue.Dict(("a", BValue.Dict([("id", id), .. arguments])), ("q", BValue.Str(method)), ("t", t), ("y", BValue.Str("q")));

        switch (_random.Next(14))
        {
            case 0:
                return Query("ping");
            case 1:
                return _random.Next(3) == 0
                    ? Query("find_node", ("target", BValue.Str(Bytes(20))), ("want", BValue.List(BValue.Str("n4"), BValue.Str("n6"))))
                    : Query("find_node", ("target", BValue.Str(Bytes(20))));
            case 2:
                return Query("get_peers", ("info_hash", BValue.Str(Pick(_infoHashes))));
            case 3:
                return Query("announce_peer", ("implied_port", BValue.Int(_random.Next(2))), ("info_hash", BValue.Str(Pick(_infoHashes))),
                    ("port", BValue.Int(1 + _random.Next(65535))), ("token", BValue.Str(token)));
            case 4:
                return Query("get", ("target", BValue.Str(Pick(_targets))));
            case 5:
                {
                    var v = Value();
                    return Query("put", ("token", BValue.Str(token)), ("v", v));
                }

            case 6:
                return Query("put", ("cas", BValue.Int(_random.Next(3))), ("k", BValue.Str(Bytes(32))), ("salt", BValue.Str(Bytes(_random.Next(65)))),
                    ("seq", BValue.Int(_random.Next(1000))), ("sig", BValue.Str(Bytes(64))), ("token", BValue.Str(token)), ("v", Value()));
            case 7:
                return Query("find_value", ("target", BValue.Str(Pick(_targets))));
            case 8:
                return Query("store", ("seq", BValue.Int(_random.NextInt64(long.MaxValue))), ("target", BValue.Str(Pick(_targets))),
                    ("token", BValue.Str(token)), ("ttl", BValue.Int(_random.Next(100_000))), ("v", Value()));
            case 9:
                return Query(Methods[_random.Next(Methods.Length)], ("target", BValue.Str(Bytes(20))));
            case 10:
                return BValue.Dict(("r", BValue.Dict(("id", id), ("nodes", BValue.Str(Bytes(26 * _random.Next(9)))), ("token", BValue.Str(Bytes(8))))),
                    ("t", t), ("y", BValue.Str("r")));
            case 11:
                return BValue.Dict(("r", BValue.Dict(("id", id), ("values", BValue.List(BValue.Str(Bytes(6)), BValue.Str(Bytes(6)))))), ("t", t), ("y", BValue.Str("r")));
            case 12:
                return BValue.Dict(("e", BValue.List(BValue.Int(200 + _random.Next(8)), BValue.Str("Error"))), ("t", t), ("y", BValue.Str("e")));
            default:
                return Query("get_peers", ("info_hash", BValue.Str(Bytes(20))), ("noseed", BValue.Int(1)), ("scrape", BValue.Int(1)));
        }
    }

    private void MutateTree(BValue message, FuzzSource source)
    {
        _nodes.Clear();
        message.Collect(_nodes);
        _strings.Clear();
        _integers.Clear();
        _dictionaries.Clear();
        foreach (var n in _nodes)
        {
            var list = n.Kind switch
            {
                BKind.String => _strings,
                BKind.Integer => _integers,
                BKind.Dictionary when n.Entries.Count > 0 => _dictionaries,
                _ => null,
            };
            list?.Add(n);
        }

        var node = _nodes[_random.Next(_nodes.Count)];
        var dictionaries = _dictionaries;
        switch (_random.Next(12))
        {
            case 0: // a value of another type
                node.Become(RandomValue(depth: 2));
                break;
            case 1: // a length that lies
                {
                    var s = _strings;
                    if (s.Count > 0)
                    {
                        var target = s[_random.Next(s.Count)];
                        target.DeclaredLength = _random.Next(2) == 0
                            ? LyingLengths[_random.Next(LyingLengths.Length)]
                            : (target.Bytes.Length + _random.Next(-3, 4)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    break;
                }

            case 2: // deep nesting
                {
                    node.Nesting = _random.Next(6) switch { 0 => 31, 1 => 32, 2 => 33, 3 => 100, 4 => 1000, _ => 5000 };
                    node.NestInDictionaries = _random.Next(4) == 0;
                    break;
                }

            case 3 when dictionaries.Count > 0: // a duplicate key
                {
                    var d = dictionaries[_random.Next(dictionaries.Count)];
                    int i = _random.Next(d.Entries.Count);
                    d.Entries.Insert(_random.Next(d.Entries.Count + 1), (d.Entries[i].Key, d.Entries[i].Value.Clone()));
                    break;
                }

            case 4 when dictionaries.Count > 0: // keys out of order
                {
                    var d = dictionaries[_random.Next(dictionaries.Count)];
                    int i = _random.Next(d.Entries.Count), j = _random.Next(d.Entries.Count);
                    (d.Entries[i], d.Entries[j]) = (d.Entries[j], d.Entries[i]);
                    break;
                }

            case 5 when dictionaries.Count > 0: // a key missing
                {
                    var d = dictionaries[_random.Next(dictionaries.Count)];
                    d.Entries.RemoveAt(_random.Next(d.Entries.Count));
                    break;
                }

            case 6 when dictionaries.Count > 0: // an extra key, in or out of order
                {
                    var d = dictionaries[_random.Next(dictionaries.Count)];
                    d.Entries.Insert(_random.Next(d.Entries.Count + 1), (Encoding.Latin1.GetBytes(Keys[_random.Next(Keys.Length)]), RandomValue(depth: 1)));
                    break;
                }

            case 7: // an integer at or past its limits
                {
                    var ints = _integers;
                    (ints.Count > 0 ? ints[_random.Next(ints.Count)] : node).Become(BValue.RawInt(IntegerTexts[_random.Next(IntegerTexts.Length)]));
                    break;
                }

            case 8: // a string of the wrong size
                {
                    var s = _strings;
                    if (s.Count > 0)
                    {
                        int size = _random.Next(8) switch { 0 => 0, 1 => 19, 2 => 21, 3 => 33, 4 => 65, 5 => 1001, 6 => 1400, _ => _random.Next(64) };
                        s[_random.Next(s.Count)].Bytes = Bytes(size);
                    }

                    break;
                }

            case 9: // another method
                if (message.Get("q"u8) is { } q)
                {
                    q.Bytes = Encoding.Latin1.GetBytes(Methods[_random.Next(Methods.Length)]);
                }

                break;
            case 10: // another message type
                if (message.Get("y"u8) is { } y)
                {
                    y.Become(_random.Next(6) switch
                    {
                        0 => BValue.Str("q"),
                        1 => BValue.Str("r"),
                        2 => BValue.Str("e"),
                        3 => BValue.Str("qq"),
                        4 => BValue.Str(""),
                        _ => BValue.Int(1),
                    });
                }

                break;
            default: // a part of another message
                {
                    _nodes.Clear();
                    Template(source).Collect(_nodes);
                    node.Become(_nodes[_random.Next(_nodes.Count)].Clone());
                    break;
                }
        }
    }

    private void MutateBytes(ArrayBufferWriter<byte> output)
    {
        _scratch.ResetWrittenCount();
        Write(_scratch, output.WrittenSpan);
        var bytes = _scratch.WrittenSpan.ToArray();
        output.ResetWrittenCount();
        switch (_random.Next(4))
        {
            case 0: // truncated
                Write(output, bytes.AsSpan(0, bytes.Length == 0 ? 0 : _random.Next(bytes.Length)));
                break;
            case 1: // bit flips
                for (int i = 0, flips = 1 + _random.Next(4); i < flips && bytes.Length > 0; i++)
                {
                    bytes[_random.Next(bytes.Length)] ^= (byte)(1 << _random.Next(8));
                }

                Write(output, bytes);
                break;
            case 2: // trailing bytes
                Write(output, bytes);
                Write(output, Bytes(1 + _random.Next(8)));
                break;
            default: // a structural byte inserted
                {
                    int at = bytes.Length == 0 ? 0 : _random.Next(bytes.Length);
                    Write(output, bytes.AsSpan(0, at));
                    Write(output, [(byte)"dlie:0123456789-"[_random.Next(16)]]);
                    Write(output, bytes.AsSpan(at));
                    break;
                }
        }
    }

    private BValue Value()
    {
        int length = _random.Next(4) == 0 ? 990 + _random.Next(20) : _random.Next(200);
        return _random.Next(5) == 0
            ? BValue.List(BValue.Int(_random.Next()), BValue.Str(Bytes(length / 2)))
            : BValue.Str(Bytes(length));
    }

    private BValue RandomValue(int depth)
    {
        switch (_random.Next(depth > 0 ? 4 : 2))
        {
            case 0:
                return _random.Next(3) == 0 ? BValue.RawInt(IntegerTexts[_random.Next(IntegerTexts.Length)]) : BValue.Int(_random.NextInt64(long.MinValue, long.MaxValue));
            case 1:
                return BValue.Str(Bytes(_random.Next(4) == 0 ? 20 : _random.Next(40)));
            case 2:
                return BValue.List([.. Enumerable.Range(0, _random.Next(4)).Select(_ => RandomValue(depth - 1))]);
            default:
                return BValue.Dict([.. Enumerable.Range(0, _random.Next(4)).Select(_ => (Keys[_random.Next(Keys.Length)], RandomValue(depth - 1))).DistinctBy(e => e.Item1)]);
        }
    }

    private byte[] Pick(byte[][] choices) => _random.Next(4) == 0 ? Bytes(20) : choices[_random.Next(choices.Length)];

    private byte[] Bytes(int count)
    {
        var b = new byte[count];
        _random.NextBytes(b);
        return b;
    }

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
