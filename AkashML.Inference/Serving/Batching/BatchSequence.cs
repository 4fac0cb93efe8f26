using AkashML.Inference.Runtime;
using AkashML.Inference.Runtime.Caching;

namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// One choice decoding inside the batch: its prompt, its own selector (sampler, penalties, seed, bias, JSON constraint)
/// and its text output. The token it selected last is the input of its next shared decode step.
/// </summary>
internal sealed class BatchSequence(BatchRequest owner, int[] prompt, SelectionRecorder recorder, ChoiceOutput output)
{
    public BatchRequest Owner => owner;

    public int[] Prompt => prompt;

    public int LastToken { get; private set; }

    /// <summary>The cached prompt blocks it starts from, kept while it waits for a slot (see the scheduler's lookup).</summary>
    public IReadOnlyList<PrefixBlock>? CachedBlocks { get; set; }

    /// <summary>Prompt tokens its prefill reused from the prefix cache (reported with each of its updates).</summary>
    public int CachedPromptTokens
    {
        get => output.CachedPromptTokens;
        set => output.CachedPromptTokens = value;
    }

    /// <summary>Selects the next token from <paramref name="logits"/> and emits its text; true when the choice finished.</summary>
    public bool Accept(ReadOnlySpan<float> logits)
    {
        LastToken = recorder.SelectToken(logits, []);
        return Emit();
    }

    /// <summary>As <see cref="Accept(ReadOnlySpan{float})"/>, from a decode step's row in the model's own type.</summary>
    public bool Accept(LogitsRow logits)
    {
        LastToken = recorder.SelectToken(logits);
        return Emit();
    }

    private bool Emit()
    {
        output.Accept(recorder.LastChoice, owner.Write);
        if (output.IsFinished)
        {
            owner.SequenceFinished();
            return true;
        }

        return false;
    }
}
