using Dht.Cli.Editing;

namespace Dht.Cli.Tests.Editing;

/// <summary>The line editor's editing operations and history, without a terminal.</summary>
public sealed class LineBufferTests
{
    [Fact]
    public void Insert_GoesAtTheCursor()
    {
        var line = Typed("helo");
        line.Left();

        line.Insert('l');

        Assert.Equal("hello", line.Text);
        Assert.Equal(4, line.Cursor);
    }

    [Fact]
    public void Insert_WhenFull_IsRefused()
    {
        var line = new LineBuffer(maxLength: 3, historySize: 10);
        Type(line, "abc");

        Assert.False(line.Insert('d'));
        Assert.Equal("abc", line.Text);
    }

    [Fact]
    public void LeftAndRight_StopAtTheEnds()
    {
        var line = Typed("ab");

        line.Right();
        Assert.Equal(2, line.Cursor);
        line.Left();
        line.Left();
        line.Left();
        Assert.Equal(0, line.Cursor);
    }

    [Fact]
    public void HomeAndEnd_MoveToTheEnds()
    {
        var line = Typed("abc");

        line.Home();
        Assert.Equal(0, line.Cursor);
        line.End();
        Assert.Equal(3, line.Cursor);
    }

    [Fact]
    public void Backspace_DeletesBeforeTheCursor_AndDeleteUnderIt()
    {
        var line = Typed("abcd");
        line.Left();
        line.Left();

        line.Backspace();
        Assert.Equal("acd", line.Text);
        line.Delete();
        Assert.Equal("ad", line.Text);
        Assert.Equal(1, line.Cursor);
    }

    [Fact]
    public void BackspaceAtStart_AndDeleteAtEnd_DoNothing()
    {
        var line = Typed("ab");

        line.Delete();
        line.Home();
        line.Backspace();

        Assert.Equal("ab", line.Text);
    }

    [Fact]
    public void SurrogatePair_IsOneCharacterToTheCursor()
    {
        var line = Typed("a😀b");
        line.Left();

        line.Left();
        Assert.Equal(1, line.Cursor);
        line.Right();
        Assert.Equal(3, line.Cursor);
        line.Backspace();
        Assert.Equal("ab", line.Text);
    }

    [Fact]
    public void DeleteToStart_KeepsWhatFollowsTheCursor()
    {
        var line = Typed("put key value");
        line.Home();
        for (int i = 0; i < 4; i++)
        {
            line.Right();
        }

        line.DeleteToStart();

        Assert.Equal("key value", line.Text);
        Assert.Equal(0, line.Cursor);
    }

    [Fact]
    public void DeleteToEnd_KeepsWhatPrecedesTheCursor()
    {
        var line = Typed("put key value");
        for (int i = 0; i < 6; i++)
        {
            line.Left();
        }

        line.DeleteToEnd();

        Assert.Equal("put key", line.Text);
    }

    [Theory]
    [InlineData("put key value", "put key ")]
    [InlineData("put key value  ", "put key ")]
    [InlineData("value", "")]
    [InlineData("", "")]
    public void DeleteWordBefore_DeletesTheWordAndTheSpacesAfterIt(string typed, string left)
    {
        var line = Typed(typed);

        line.DeleteWordBefore();

        Assert.Equal(left, line.Text);
        Assert.Equal(left.Length, line.Cursor);
    }

    [Fact]
    public void Previous_WalksTheHistoryBack_AndNextComesBackToTheLineBeingTyped()
    {
        var line = new LineBuffer(100, 10);
        Accept(line, "first");
        Accept(line, "second");
        Type(line, "draft");

        line.Previous();
        Assert.Equal("second", line.Text);
        line.Previous();
        Assert.Equal("first", line.Text);
        line.Previous();
        Assert.Equal("first", line.Text);
        Assert.Equal(5, line.Cursor);
        line.Next();
        Assert.Equal("second", line.Text);
        line.Next();
        Assert.Equal("draft", line.Text);
        line.Next();
        Assert.Equal("draft", line.Text);
    }

    [Fact]
    public void Accept_SkipsBlankLinesAndRepeats()
    {
        var line = new LineBuffer(100, 10);

        Accept(line, "status");
        Accept(line, "status");
        Accept(line, "   ");
        Accept(line, "keys");

        Assert.Equal(["status", "keys"], line.History);
        Assert.Equal("", line.Text);
    }

    [Fact]
    public void History_ForgetsTheOldestBeyondItsSize()
    {
        var line = new LineBuffer(100, historySize: 2);

        Accept(line, "a");
        Accept(line, "b");
        Accept(line, "c");

        Assert.Equal(["b", "c"], line.History);
    }

    [Fact]
    public void Discard_DropsTheLine_AndStartsAtTheNewestHistoryEntry()
    {
        var line = new LineBuffer(100, 10);
        Accept(line, "one");
        line.Previous();

        line.Discard();
        Assert.Equal("", line.Text);
        line.Previous();
        Assert.Equal("one", line.Text);
    }

    private static LineBuffer Typed(string text)
    {
        var line = new LineBuffer(100, 10);
        Type(line, text);
        return line;
    }

    private static void Type(LineBuffer line, string text)
    {
        foreach (char c in text)
        {
            Assert.True(line.Insert(c));
        }
    }

    private static void Accept(LineBuffer line, string text)
    {
        Type(line, text);
        line.Accept();
    }
}
