using Dht.Cli.Input;

namespace Dht.Cli.Tests.Input;

/// <summary>The shell's quoting and whitespace rules.</summary>
public sealed class ArgumentReaderTests
{
    [Theory]
    [InlineData("key value", "key", "value")]
    [InlineData("key  two spaces ", "key", " two spaces ")]
    [InlineData("key\tvalue", "key", "value")]
    [InlineData("   key value", "key", "value")]
    [InlineData("\"my key\" my value", "my key", "my value")]
    [InlineData("\"say \\\"hi\\\"\" v", "say \"hi\"", "v")]
    [InlineData("\"back\\\\slash\" v", "back\\slash", "v")]
    [InlineData("\"\" v", "", "v")]
    [InlineData("key \"  padded  \"", "key", "  padded  ")]
    [InlineData("key \"two\\nlines\\tand a tab\"  ", "key", "two\nlines\tand a tab")]
    [InlineData("key  \"not quoted\"", "key", " \"not quoted\"")]
    [InlineData("key va\"lue", "key", "va\"lue")]
    [InlineData("ke\"y value", "ke\"y", "value")]
    public void KeyAndValue_FollowTheRules(string line, string key, string value)
    {
        var reader = new ArgumentReader(line);

        Assert.True(reader.TryReadWord(out var word, out _));
        Assert.True(reader.TryReadValue(out string? rest, out _));

        Assert.Equal(key, word!.Text);
        Assert.Equal(value, rest);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("key ")]
    public void NothingAfterTheKeyAndOneSeparator_IsNoValue(string line)
    {
        var reader = new ArgumentReader(line);
        reader.TryReadWord(out _, out _);

        Assert.True(reader.TryReadValue(out string? value, out _));
        Assert.Null(value);
    }

    [Theory]
    [InlineData("\"open", "missing closing quote")]
    [InlineData("\"open\\", "missing closing quote")]
    [InlineData("\"a\\qb\" v", "unknown escape \\q")]
    [InlineData("\"a\"b v", "a closing quote must be followed by a space")]
    public void MalformedQuotedWord_IsRefusedWithTheReason(string line, string reason)
    {
        var reader = new ArgumentReader(line);

        Assert.False(reader.TryReadWord(out _, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedValue_WithTextAfterIt_IsRefused()
    {
        var reader = new ArgumentReader("key \"quoted\" extra");
        reader.TryReadWord(out _, out _);

        Assert.False(reader.TryReadValue(out _, out string? error));
        Assert.Contains("only spaces may follow a quoted value", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_AreReadInTurn_AndTellQuotedFromOptions()
    {
        var reader = new ArgumentReader("--signed \"--signed\" last  ");

        reader.TryReadWord(out var option, out _);
        reader.TryReadWord(out var quoted, out _);
        reader.TryReadWord(out var last, out _);

        Assert.True(option!.IsOption);
        Assert.False(quoted!.IsOption);
        Assert.Equal("--signed", quoted.Text);
        Assert.Equal("last", last!.Text);
        Assert.True(reader.AtEnd);
        Assert.True(reader.TryReadWord(out var none, out _));
        Assert.Null(none);
    }
}
