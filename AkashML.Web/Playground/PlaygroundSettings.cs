namespace AkashML.Web.Playground;

/// <summary>
/// What the person set up: the model (and up to two more to compare), the preset it came from, the system prompt and the
/// parameter values as entered — kept as entered, so an out-of-range value shows its message instead of being clamped.
/// </summary>
public sealed class PlaygroundSettings
{
    /// <summary>At most this many models answer side by side.</summary>
    public const int MaxCompared = 3;

    public string? Model { get; set; }

    /// <summary>
    /// The API key replies run as, whose budget and allow-list then apply as over the API; null runs as the hidden
    /// playground key (no key budget, every model).
    /// </summary>
    public Guid? KeyId { get; set; }

    public string? Preset { get; set; }

    public string SystemPrompt { get; set; } = "";

    /// <summary>Numeric parameters by request name (<c>temperature</c>…); null is "empty field".</summary>
    public Dictionary<string, double?> Numbers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The seed as typed; empty is random.</summary>
    public string Seed { get; set; } = "";

    /// <summary>Stop sequences, one per line; <c>\n</c> and <c>\t</c> stand for a newline and a tab.</summary>
    public string Stop { get; set; } = "";

    public bool Compare { get; set; }

    /// <summary>The second and third models of compare mode (null: none chosen).</summary>
    public List<string?> CompareModels { get; set; } = [null, null];
}
