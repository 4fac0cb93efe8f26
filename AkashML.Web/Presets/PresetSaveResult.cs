using AkashML.Data.Presets;

namespace AkashML.Web.Presets;

/// <summary>
/// The outcome of saving a preset: the saved row, or every problem keyed by field (<c>Name</c>, <c>ModelId</c>,
/// <c>SystemPrompt</c>, or a parameter name such as <c>temperature</c>) with nothing stored.
/// </summary>
public sealed class PresetSaveResult
{
    private PresetSaveResult(Preset? preset, IReadOnlyDictionary<string, string> problems)
    {
        Preset = preset;
        Problems = problems;
    }

    public Preset? Preset { get; }

    public IReadOnlyDictionary<string, string> Problems { get; }

    public bool IsSaved => Preset is not null;

    public static PresetSaveResult Saved(Preset preset) => new(preset, new Dictionary<string, string>());

    public static PresetSaveResult Invalid(IReadOnlyDictionary<string, string> problems) => new(null, problems);
}
