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

    /// <summary>Selects the next token from <paramref name="logits"/> and emits its text; true when the choice finished.</summary>
    public bool Accept(ReadOnlySpan<float> logits)
    {
        LastToken = recorder.SelectToken(logits, []);
        output.Accept(recorder.LastChoice, owner.Write);
        if (output.IsFinished)
        {
            owner.SequenceFinished();
            return true;
        }

        return false;
    }
}
