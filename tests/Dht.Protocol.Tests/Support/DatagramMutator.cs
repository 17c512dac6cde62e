// Seeded mutations of valid datagrams: the cheap half of fuzzing, kept deterministic so that a failure
// names the seed and iteration that reproduce it.
namespace Dht.Protocol.Tests.Support;

internal sealed class DatagramMutator
{
    // Bytes that change bencode structure are the interesting ones to insert.
    private static readonly byte[] Structural = "dlie:0123456789-"u8.ToArray();

    private readonly Random _random;

    public DatagramMutator(int seed) => _random = new Random(seed);

    /// <summary>Applies one to four random mutations to a copy of <paramref name="source"/>.</summary>
    public byte[] Mutate(byte[] source)
    {
        var bytes = new List<byte>(source);
        int count = _random.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(bytes);
        }

        return [.. bytes];
    }

    private void MutateOnce(List<byte> bytes)
    {
        int at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
        switch (_random.Next(8))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when bytes.Count > 0:
                bytes[at] = (byte)_random.Next(256);
                break;
            case 2:
                bytes.Insert(at, (byte)_random.Next(256));
                break;
            case 3:
                bytes.Insert(at, Structural[_random.Next(Structural.Length)]);
                break;
            case 4 when bytes.Count > 0:
                bytes.RemoveAt(at);
                break;
            case 5:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 6 when bytes.Count > 0:
                {
                    // Duplicate a slice: repeats keys, nests containers, lengthens strings.
                    int length = _random.Next(1, Math.Min(16, bytes.Count - at) + 1);
                    bytes.InsertRange(_random.Next(bytes.Count + 1), bytes.GetRange(at, length));
                    break;
                }

            case 7 when bytes.Count > 0 && char.IsAsciiDigit((char)bytes[at]):
                // Change a length or number to nearby values.
                bytes[at] = (byte)('0' + _random.Next(10));
                break;
            default:
                bytes.Insert(at, Structural[_random.Next(Structural.Length)]);
                break;
        }
    }
}
