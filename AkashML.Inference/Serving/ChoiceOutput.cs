using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Serving;

/// <summary>
/// Turns one choice's selected tokens into updates: EOS, stop sequences, the JSON constraint and max tokens end it;
/// text is held back while it could still be part of a stop sequence or a character. Both the per-request loop and the
/// batch scheduler feed their tokens through this, so a choice reads the same whichever path produced it.
/// </summary>
internal sealed class ChoiceOutput(
    GenerationRequest request,
    int choiceIndex,
    IIncrementalDecoder decoder,
    int[] eosTokenIds,
    ITokenConstraint? constraint,
    Func<TokenChoice, TokenLogprob> describe)
{
    private readonly StopSequenceMatcher _stops = new(request.StopSequences);

    public int Produced { get; private set; }

    public bool IsFinished { get; private set; }

    /// <summary>Prompt tokens the choice's prefill reused from the prefix cache; every update carries it.</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Accepts the next selected token and hands out the updates it completes (none, one or two).</summary>
    public void Accept(TokenChoice choice, Action<GenerationUpdate> emit)
    {
        if (IsFinished)
        {
            throw new InvalidOperationException("The choice has already finished.");
        }

        Produced++;
        if (Array.IndexOf(eosTokenIds, choice.TokenId) >= 0)
        {
            emit(Finish(FinishReason.Stop));
            return;
        }

        var match = _stops.Append(decoder.Append(choice.TokenId));
        var logprobs = request.TopLogprobs is null ? null : new[] { describe(choice) };
        if (match.Stopped)
        {
            IsFinished = true;
            emit(new GenerationUpdate(choiceIndex, match.Text, [choice.TokenId], logprobs, FinishReason.Stop, Produced, match.StopSequence, CachedPromptTokens));
            return;
        }

        FinishReason? finish = null;
        if (constraint?.IsComplete == true)
        {
            // A document the budget had to close early is whole but shorter than the model wanted: say so, as OpenAI
            // says "length" for an answer cut at max_tokens.
            finish = constraint is StructuredConstraint { CutShort: true } ? FinishReason.Length : FinishReason.Stop;
        }
        else if (Produced >= request.MaxNewTokens)
        {
            finish = FinishReason.Length;
        }

        emit(new GenerationUpdate(choiceIndex, match.Text, [choice.TokenId], logprobs, null, Produced, CachedPromptTokens: CachedPromptTokens));
        if (finish is { } reason)
        {
            emit(Finish(reason));
        }
    }

    /// <summary>The last update: whatever text was held back, with the finish reason.</summary>
    public GenerationUpdate Finish(FinishReason reason)
    {
        IsFinished = true;
        var tail = _stops.Append(decoder.Flush());
        var rest = tail.Stopped ? tail.Text : tail.Text + _stops.Flush();
        return new GenerationUpdate(choiceIndex, rest, [], null, reason, Produced, tail.StopSequence, CachedPromptTokens);
    }
}
