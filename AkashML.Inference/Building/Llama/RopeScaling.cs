namespace AkashML.Inference.Building.Llama;

/// <summary>How rotary frequencies are rescaled for long contexts (Hugging Face <c>rope_scaling</c>).</summary>
public enum RopeScalingKind
{
    None,

    /// <summary>Positions divided by <see cref="RopeScaling.Factor"/> (linear interpolation).</summary>
    Linear,

    /// <summary>Llama 3.1 wavelength-dependent scaling.</summary>
    Llama3,
}

/// <summary>Rotary scaling parameters; only the fields of <see cref="Kind"/> are used.</summary>
public sealed record RopeScaling(
    RopeScalingKind Kind,
    double Factor = 1.0,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int OriginalMaxPositionEmbeddings = 8192)
{
    public static RopeScaling None { get; } = new(RopeScalingKind.None);
}
