using System.Globalization;
using System.Text;
using System.Text.Json;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>Everything a request streamed, per choice, in a form two runs can be compared by (exact float text included).</summary>
internal static class GenerationTranscript
{
    public static async Task<IReadOnlyDictionary<int, string>> CollectAsync(ITextModel model, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var choices = new SortedDictionary<int, StringBuilder>();
        await foreach (var update in model.GenerateAsync(request, cancellationToken))
        {
            Append(choices, update);
        }

        return choices.ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static void Append(SortedDictionary<int, StringBuilder> choices, GenerationUpdate update)
    {
        if (!choices.TryGetValue(update.ChoiceIndex, out var text))
        {
            text = new StringBuilder();
            choices.Add(update.ChoiceIndex, text);
        }

        text.Append(CultureInfo.InvariantCulture, $"[{string.Join(',', update.TokenIds)}] {Quote(update.Text)} {update.FinishReason} {update.CompletionTokens} {Quote(update.MatchedStopSequence)}");
        foreach (var logprob in update.Logprobs ?? [])
        {
            text.Append(CultureInfo.InvariantCulture, $" lp {logprob.TokenId}:{logprob.Logprob:R}");
            foreach (var alternative in logprob.TopAlternatives)
            {
                text.Append(CultureInfo.InvariantCulture, $" {alternative.TokenId}:{alternative.Logprob:R}");
            }
        }

        text.Append('\n');
    }

    /// <summary>JSON string form, so text with line breaks stays on its update's line.</summary>
    public static string Quote(string? text) => text is null ? "-" : JsonSerializer.Serialize(text);

    /// <summary>The choice's last update (the one with its finish reason).</summary>
    public static string LastLine(string transcript) => transcript.TrimEnd('\n').Split('\n')[^1];
}
