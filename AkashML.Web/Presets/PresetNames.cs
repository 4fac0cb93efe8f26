using System.Text.RegularExpressions;
using AkashML.Data.Presets;

namespace AkashML.Web.Presets;

/// <summary>Preset names and the <c>@preset/&lt;name&gt;</c> model reference that uses them.</summary>
public static partial class PresetNames
{
    public const string ModelPrefix = "@preset/";

    /// <summary>Why <paramref name="name"/> cannot name a preset, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Give the preset a name.";
        }

        if (name.Length > Preset.MaxNameLength)
        {
            return $"The name must be at most {Preset.MaxNameLength} characters.";
        }

        return Slug().IsMatch(name)
            ? null
            : "Use letters, digits, '-', '_' and '.', starting with a letter or digit (the name is used as @preset/<name>).";
    }

    /// <summary>The preset name in a model field such as <c>@preset/support-bot</c>, or null for a plain model id.</summary>
    public static string? FromModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.StartsWith(ModelPrefix, StringComparison.Ordinal) ? model[ModelPrefix.Length..] : null;
    }

    public static string ToModel(string name) => ModelPrefix + name;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Slug();
}
