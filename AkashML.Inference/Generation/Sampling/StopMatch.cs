namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// What a <see cref="StopSequenceMatcher"/> lets through for one delta: <see cref="Text"/> may be emitted now;
/// <see cref="StopSequence"/> is the stop string that ended the text, or null while generation goes on.
/// </summary>
public readonly record struct StopMatch(string Text, string? StopSequence)
{
    /// <summary>True when a stop sequence matched: emit <see cref="Text"/>, then end generation.</summary>
    public bool Stopped => StopSequence is not null;
}
