using System.Text;

namespace AkashML.Web.Api.OpenAi;

/// <summary>
/// Splits one streamed choice into text and tool calls: text goes out as it comes, except what could be the start of
/// a <c>&lt;tool_call&gt;</c> block, which is held until the block closes and is sent as one tool call (or, when it is
/// not a well-formed call, as the text it was).
/// </summary>
public sealed class ToolCallStream
{
    private const string Open = ToolCallParser.OpenTag;
    private const string Close = ToolCallParser.CloseTag;

    private readonly StringBuilder _pending = new();

    /// <summary>Tool calls sent so far (the next call's index).</summary>
    public int CallCount { get; private set; }

    /// <summary>Takes generated text; returns the text that may be sent now and the calls completed by it.</summary>
    public (string Text, IReadOnlyList<ToolCallParser.ParsedToolCall> Calls) Append(string text)
    {
        _pending.Append(text);
        var ready = new StringBuilder();
        var calls = new List<ToolCallParser.ParsedToolCall>();
        while (true)
        {
            var pending = _pending.ToString();
            var open = pending.IndexOf(Open, StringComparison.Ordinal);
            if (open < 0)
            {
                var held = PartialOpenLength(pending);
                ready.Append(pending, 0, pending.Length - held);
                _pending.Remove(0, pending.Length - held);
                break;
            }

            ready.Append(pending, 0, open);
            var close = ToolCallParser.CloseTagIndex(pending, open);
            if (close < 0)
            {
                _pending.Remove(0, open);
                break;
            }

            var block = pending[open..(close + Close.Length)];
            var parsed = ToolCallParser.Parse(block);
            if (parsed.Calls.Count > 0)
            {
                calls.AddRange(parsed.Calls);
            }
            else
            {
                ready.Append(block);
            }

            _pending.Remove(0, close + Close.Length);
        }

        CallCount += calls.Count;
        return (ready.ToString(), calls);
    }

    /// <summary>At the end: whatever was held back (an unfinished block is the model's text).</summary>
    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }

    // The longest end of the text that is a beginning of the opening tag.
    private static int PartialOpenLength(string text)
    {
        for (var length = Math.Min(Open.Length - 1, text.Length); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).SequenceEqual(Open.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
