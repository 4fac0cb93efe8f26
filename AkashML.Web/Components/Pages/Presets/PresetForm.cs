using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Data.Presets;
using AkashML.Inference.Catalog;
using AkashML.Web.Playground;
using AkashML.Web.Presets;

namespace AkashML.Web.Components.Pages.Presets;

/// <summary>
/// The preset form's fields: numbers are kept as typed so that "abc" gets a message instead of a silent zero. The
/// playground's "Save as preset" fills the same form (<see cref="PresetEditorDialog"/>).
/// </summary>
public sealed class PresetForm
{
    public string? Name { get; set; }

    public string? ModelId { get; set; }

    public string? SystemPrompt { get; set; }

    public string? Temperature { get; set; }

    public string? TopP { get; set; }

    public string? TopK { get; set; }

    public string? MaxTokens { get; set; }

    public string? FrequencyPenalty { get; set; }

    public string? PresencePenalty { get; set; }

    public string? Seed { get; set; }

    /// <summary>Stop sequences, one per line; <c>\n</c> and <c>\t</c> stand for a newline and a tab.</summary>
    public string? Stop { get; set; }

    /// <summary>The form's numeric fields and the parameter each fills.</summary>
    public IEnumerable<(string Parameter, string? Text)> NumericFields =>
    [
        (SamplingParameters.Temperature, Temperature),
        (SamplingParameters.TopP, TopP),
        (SamplingParameters.TopK, TopK),
        (SamplingParameters.MaxTokens, MaxTokens),
        (SamplingParameters.FrequencyPenalty, FrequencyPenalty),
        (SamplingParameters.PresencePenalty, PresencePenalty),
        (SamplingParameters.Seed, Seed),
    ];

    /// <summary>The text of one parameter's field, by parameter name.</summary>
    public string? GetText(string parameter) => parameter switch
    {
        SamplingParameters.Temperature => Temperature,
        SamplingParameters.TopP => TopP,
        SamplingParameters.TopK => TopK,
        SamplingParameters.MaxTokens => MaxTokens,
        SamplingParameters.FrequencyPenalty => FrequencyPenalty,
        SamplingParameters.PresencePenalty => PresencePenalty,
        SamplingParameters.Seed => Seed,
        SamplingParameters.Stop => Stop,
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter, "not a preset parameter"),
    };

    public void SetText(string parameter, string? text)
    {
        switch (parameter)
        {
            case SamplingParameters.Temperature: Temperature = text; break;
            case SamplingParameters.TopP: TopP = text; break;
            case SamplingParameters.TopK: TopK = text; break;
            case SamplingParameters.MaxTokens: MaxTokens = text; break;
            case SamplingParameters.FrequencyPenalty: FrequencyPenalty = text; break;
            case SamplingParameters.PresencePenalty: PresencePenalty = text; break;
            case SamplingParameters.Seed: Seed = text; break;
            case SamplingParameters.Stop: Stop = text; break;
            default: throw new ArgumentOutOfRangeException(nameof(parameter), parameter, "not a preset parameter");
        }
    }

    /// <summary>
    /// Why one parameter's text cannot be saved with <paramref name="model"/> (not a number, out of its range), or
    /// null: the same checks as saving, for the message beside the field while typing.
    /// </summary>
    public static string? ParameterProblem(string parameter, string? text, ModelDescriptor? model)
    {
        var alone = new PresetForm();
        alone.SetText(parameter, text);
        var draft = alone.ToDraft(out var problems);
        if (problems.TryGetValue(parameter, out var format))
        {
            return format;
        }

        return model is not null && SamplingParameters.Validate(draft.Parameters, model).TryGetValue(parameter, out var range) ? range : null;
    }

    /// <summary>The draft to save, or the fields that are not numbers (keyed by parameter name).</summary>
    public PresetDraft ToDraft(out Dictionary<string, string> problems)
    {
        problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = new JsonObject();
        foreach (var (parameter, text) in NumericFields)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (parameter == SamplingParameters.Seed)
            {
                if (long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                {
                    parameters[parameter] = seed;
                }
                else
                {
                    problems[parameter] = "Seed must be a whole number.";
                }

                continue;
            }

            if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                parameters[parameter] = number == Math.Floor(number) && Math.Abs(number) < 1e15 ? (long)number : number;
            }
            else
            {
                problems[parameter] = $"'{text.Trim()}' is not a number.";
            }
        }

        var stops = (Stop ?? "").Split('\n').Select(s => Unescape(s.TrimEnd('\r'))).Where(s => s.Length > 0).ToList();
        if (stops.Count > 0)
        {
            parameters[SamplingParameters.Stop] = new JsonArray(stops.Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
        }

        return new PresetDraft(Name, ModelId, SystemPrompt, parameters);
    }

    public static PresetForm From(Preset preset, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var parameters = PresetService.Parameters(preset);
        return new PresetForm
        {
            Name = name ?? preset.Name,
            ModelId = preset.ModelId,
            SystemPrompt = preset.SystemPrompt,
            Temperature = Text(parameters, SamplingParameters.Temperature),
            TopP = Text(parameters, SamplingParameters.TopP),
            TopK = Text(parameters, SamplingParameters.TopK),
            MaxTokens = Text(parameters, SamplingParameters.MaxTokens),
            FrequencyPenalty = Text(parameters, SamplingParameters.FrequencyPenalty),
            PresencePenalty = Text(parameters, SamplingParameters.PresencePenalty),
            Seed = Text(parameters, SamplingParameters.Seed),
            Stop = parameters[SamplingParameters.Stop] is JsonArray stops
                ? string.Join('\n', stops.Select(s => s is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Escape(v.GetValue<string>()) : ""))
                : null,
        };
    }

    private static string Unescape(string line) =>
        line.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal);

    private static string Escape(string stop) =>
        stop.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    private static string? Text(JsonObject parameters, string name) =>
        parameters[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : null;
}
