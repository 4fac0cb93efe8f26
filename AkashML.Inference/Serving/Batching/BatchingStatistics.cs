namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// What a model's batch scheduler has done since it was loaded, for diagnostics: how many shared decode steps ran, how
/// many sequence-tokens they decoded in total (÷ steps = mean batch), the largest batch seen, sequences admitted, and
/// how many of those copied a sibling choice's prefilled cache instead of running the prompt again.
/// </summary>
public sealed record BatchingStatistics(long SharedSteps, long DecodedRows, int MaxBatchObserved, long SequencesAdmitted, long SharedPrefills);
