using AkashML.Inference.Serving;

namespace AkashML.Web.Nodes;

/// <summary>
/// One line of a node's NDJSON answer: an <see cref="Update"/> per <see cref="GenerationUpdate"/>, then one line with
/// <see cref="Usage"/> that marks a complete answer; a failure after the stream began is a line with <see cref="Error"/>.
/// </summary>
public sealed record NodeStreamLine(NodeUpdate? Update = null, NodeUsage? Usage = null, NodeError? Error = null);

/// <summary>A <see cref="GenerationUpdate"/> on the wire; the finish reason is <c>stop</c>, <c>length</c> or <c>cancelled</c>.</summary>
public sealed record NodeUpdate(
    int Choice,
    string Text,
    IReadOnlyList<int> TokenIds,
    IReadOnlyList<TokenLogprob>? Logprobs,
    string? FinishReason,
    int CompletionTokens,
    string? MatchedStop)
{
    public static NodeUpdate From(GenerationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new NodeUpdate(update.ChoiceIndex, update.Text, update.TokenIds, update.Logprobs,
            update.FinishReason?.ToString().ToLowerInvariant(), update.CompletionTokens, update.MatchedStopSequence);
    }

    public GenerationUpdate ToUpdate() => new(Choice, Text, TokenIds, Logprobs, ParseFinishReason(FinishReason), CompletionTokens, MatchedStop);

    private static FinishReason? ParseFinishReason(string? value) => value switch
    {
        null => null,
        "stop" => Inference.Serving.FinishReason.Stop,
        "length" => Inference.Serving.FinishReason.Length,
        "cancelled" => Inference.Serving.FinishReason.Cancelled,
        _ => throw new NodeProtocolException($"the node sent an unknown finish reason '{value}'"),
    };
}

/// <summary>Tokens the node read and wrote for the whole request (every choice and best_of candidate it reported).</summary>
public sealed record NodeUsage(int PromptTokens, int CompletionTokens);

/// <summary>A node's error: before streaming it is the body of a 4xx/5xx; after, the last line of the stream.</summary>
public sealed record NodeError(string Message, string Type, string? Param = null);

/// <summary>The node's answer broke the protocol (a cut stream, a line that does not parse).</summary>
public sealed class NodeProtocolException : Exception
{
    public NodeProtocolException()
    {
    }

    public NodeProtocolException(string message)
        : base(message)
    {
    }

    public NodeProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
