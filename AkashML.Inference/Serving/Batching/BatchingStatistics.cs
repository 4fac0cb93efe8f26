namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// What a model's batch scheduler has done since it was loaded, for diagnostics: how many shared decode steps ran, how
/// many sequence-tokens they decoded in total (÷ steps = mean batch), the largest batch seen, sequences admitted, and
/// how many of those copied a sibling choice's prefilled cache instead of running the prompt again.
/// </summary>
/// <param name="ChunkedPrompts">Prompts longer than the prefill chunk, read over several scheduler iterations.</param>
/// <param name="PrefillChunks">Runs those prompts took (one chunk each).</param>
/// <param name="StepsDuringChunkedPrefills">
/// Shared decode steps that ran between a chunked prompt's first chunk and its first token, summed over chunked prompts:
/// how often running streams got a token while a long prompt was being read (without chunking they get none).
/// </param>
public sealed record BatchingStatistics(
    long SharedSteps,
    long DecodedRows,
    int MaxBatchObserved,
    long SequencesAdmitted,
    long SharedPrefills,
    long ChunkedPrompts,
    long PrefillChunks,
    long StepsDuringChunkedPrefills);
