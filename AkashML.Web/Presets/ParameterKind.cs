namespace AkashML.Web.Presets;

/// <summary>How a sampling parameter is entered and validated.</summary>
public enum ParameterKind
{
    /// <summary>A number within a range (temperature, penalties).</summary>
    Number,

    /// <summary>A whole number within a range (top_k, max_tokens).</summary>
    Integer,

    /// <summary>Any whole number, or unset for a random seed.</summary>
    Seed,

    /// <summary>Up to four strings that end the answer.</summary>
    StopSequences,
}
