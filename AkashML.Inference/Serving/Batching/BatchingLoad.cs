namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// A batch scheduler's load at one moment, for metrics: sequences waiting for a KV slot, sequences in the shared decode
/// step, KV slots taken (the decoding ones plus a prompt being prefilled in chunks), and the slots there are.
/// </summary>
public readonly record struct BatchingLoad(int Waiting, int BatchSize, int SlotsInUse, int Slots);
