namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// What a model's batch scheduler has done since it was loaded, for diagnostics: how many shared decode steps ran, how
/// many sequence-tokens they decoded in total (÷ steps = mean batch), the largest batch seen and sequences admitted.
/// </summary>
public sealed record BatchingStatistics(long SharedSteps, long DecodedRows, int MaxBatchObserved, long SequencesAdmitted);
