// Replays the datagram corpus: every file under Corpus/malformed is one bad packet named after its fault
// and must be refused (error 203, or 204 for a method we do not know), answerable with its transaction id
// unless Corpus/unanswered.txt lists it; every file under Corpus/valid must decode. New cases are added as
// files, not as code.
using Dht.Protocol.Bencode;
using Dht.Protocol.Krpc;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcCorpusTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static TheoryData<string> MalformedFiles() => Files("malformed");

    public static TheoryData<string> ValidFiles() => Files("valid");

    [Fact]
    public void MalformedCorpus_HasAtLeastFortyCases()
    {
        Assert.True(Directory.GetFiles(Path.Combine(CorpusDirectory, "malformed"), "*.bin").Length >= 40);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(CorpusDirectory, "valid"), "*.bin"));
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_MalformedCorpusFile_IsRefused(string name)
    {
        byte[] datagram = File.ReadAllBytes(Path.Combine(CorpusDirectory, "malformed", name));
        var message = new KrpcMessage();

        var result = KrpcParser.Parse(datagram, message);

        Assert.True(
            result.Status is KrpcParseStatus.Malformed or KrpcParseStatus.MethodUnknown,
            $"{name} decoded as {result.Status}");
        Assert.False(string.IsNullOrEmpty(result.Reason), name);
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Parse_ValidCorpusFile_IsOkAndReencodesToAnOkMessage(string name)
    {
        byte[] datagram = File.ReadAllBytes(Path.Combine(CorpusDirectory, "valid", name));
        var message = new KrpcMessage();

        var result = KrpcParser.Parse(datagram, message);

        Assert.True(result.IsOk, $"{name}: {result.Reason}");
        var again = new KrpcMessage();
        Assert.True(KrpcParser.Parse(Support.TestBytes.Encode(message), again).IsOk, name);
        Assert.Equal(message.Fields, again.Fields);
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_MalformedCorpusFile_IsAnswerableWithItsTransactionIdUnlessListedAsUnanswered(string name)
    {
        byte[] datagram = File.ReadAllBytes(Path.Combine(CorpusDirectory, "malformed", name));
        var message = new KrpcMessage();

        KrpcParser.Parse(datagram, message);

        if (Unanswered().Contains(Path.GetFileNameWithoutExtension(name)))
        {
            Assert.False(KrpcParser.IsAnswerable(message), $"{name} would be answered");
        }
        else
        {
            Assert.True(KrpcParser.IsAnswerable(message), $"{name} would not be answered");
            Assert.Equal("aa"u8.ToArray(), message.TransactionId.ToArray());
        }
    }

    [Fact]
    public void UnansweredList_NamesOnlyMalformedCorpusFiles()
    {
        foreach (string name in Unanswered())
        {
            Assert.True(File.Exists(Path.Combine(CorpusDirectory, "malformed", name + ".bin")), name);
        }
    }

    [Fact]
    public void MalformedCorpus_FilesThatAreNotCanonicalBencode_AreRejectedByTheReaderToo()
    {
        // Files named after a bencode fault must fail in the tokenizer, not only in KRPC validation.
        string[] bencodeFaults =
        [
            "empty", "truncated-in-id", "missing-final-e", "unsorted-keys", "unsorted-keys-in-arguments",
            "duplicate-key", "duplicate-key-in-arguments", "depth-100", "depth-33", "huge-string-length",
            "string-length-beyond-datagram", "string-length-leading-zero", "port-leading-zero", "port-overflows-int64",
            "integer-without-digits", "seq-negative-zero", "non-string-key", "key-without-value", "stray-end",
            "trailing-data", "trailing-newline", "two-messages-concatenated", "leading-whitespace",
            "not-bencode-http-request", "not-bencode-json", "nul-bytes", "invalid-token-byte",
        ];

        foreach (string name in bencodeFaults)
        {
            byte[] data = File.ReadAllBytes(Path.Combine(CorpusDirectory, "malformed", name + ".bin"));
            var reader = new BencodeReader(data);
            while (reader.Read())
            {
            }

            Assert.True(reader.HasError, name);
        }
    }

    private static HashSet<string> Unanswered() =>
        File.ReadLines(Path.Combine(CorpusDirectory, "unanswered.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

    private static TheoryData<string> Files(string folder)
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Path.Combine(CorpusDirectory, folder), "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }
}
