using System.Text;
using AkashML.Web.Api;
using AkashML.Web.Api.OpenAi;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>Tool calls in generated text, whole and streamed in pieces: a closing tag inside an argument does not end the call.</summary>
public sealed class ToolCallParsingTests
{
    // An argument holding the closing tag, once after a brace (what a lazy pattern would stop at) and once after text.
    private const string Arguments = """{"path":"notes.md","text":"end with } </tool_call> or {\"x\":1}</tool_call> please"}""";
    private const string Output = "Let me write it. <tool_call>{\"name\": \"write\", \"arguments\": " + Arguments + "}</tool_call> Done.";

    [Fact]
    public void A_whole_answer_gives_one_call_with_the_argument_intact_and_the_text_around_it()
    {
        var (text, calls) = ToolCallParser.Parse(Output);
        var call = Assert.Single(calls);
        Assert.Equal("write", call.Name);
        Assert.Equal("end with } </tool_call> or {\"x\":1}</tool_call> please", (string?)call.Arguments["text"]);
        Assert.Equal("Let me write it.  Done.", text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void A_streamed_answer_in_pieces_gives_the_same_call_and_no_part_of_it_as_text(int pieceLength)
    {
        var stream = new ToolCallStream();
        var text = new StringBuilder();
        var calls = new List<ToolCallParser.ParsedToolCall>();
        for (var at = 0; at < Output.Length; at += pieceLength)
        {
            var (ready, completed) = stream.Append(Output.Substring(at, Math.Min(pieceLength, Output.Length - at)));
            text.Append(ready);
            calls.AddRange(completed);
        }

        text.Append(stream.Flush());
        var call = Assert.Single(calls);
        Assert.Equal(ToolCallParser.Parse(Output).Calls[0].Arguments.ToJsonString(), call.Arguments.ToJsonString());
        Assert.Equal("Let me write it.  Done.", text.ToString());
        Assert.Equal(1, stream.CallCount);
    }

    [Fact]
    public void A_block_that_is_not_a_call_stays_text()
    {
        const string notACall = "Here: <tool_call>not json</tool_call> and <tool_call>{\"arguments\":{}}</tool_call>";
        var (text, calls) = ToolCallParser.Parse(notACall);
        Assert.Empty(calls);
        Assert.Equal(notACall, text);
    }
}
