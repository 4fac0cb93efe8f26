using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Data.Presets;
using AkashML.Inference.Catalog;
using AkashML.Web.Presets;

namespace AkashML.Web.Playground;

/// <summary>
/// Turns the playground's settings and conversation into what leaves it: validation messages per parameter (the same
/// ranges and wording as presets, <see cref="SamplingParameters"/>), the OpenAI chat body the gateway runs and "view
/// code" shows, and the preset it saves.
/// </summary>
public static class PlaygroundRequests
{
    /// <summary>Sets every parameter to <paramref name="model"/>'s default.</summary>
    public static void ResetParameters(PlaygroundSettings settings, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Numbers = SamplingParameters.For(model).Where(IsNumeric).ToDictionary(p => p.Name, p => (double?)p.Default, StringComparer.Ordinal);
        settings.Seed = "";
        settings.Stop = "";
    }

    /// <summary>
    /// Fills parameters <paramref name="model"/> has and the settings lack with its defaults. Values already entered
    /// stay as they are, even out of the new model's range: the field then says so rather than changing them unasked.
    /// </summary>
    public static void AdoptModel(PlaygroundSettings settings, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var parameter in SamplingParameters.For(model).Where(IsNumeric))
        {
            if (!settings.Numbers.ContainsKey(parameter.Name))
            {
                settings.Numbers[parameter.Name] = parameter.Default;
            }
        }
    }

    public static bool IsNumeric(SamplingParameter parameter) =>
        parameter is { Kind: ParameterKind.Number or ParameterKind.Integer };

    /// <summary>What is wrong with the value entered for <paramref name="parameter"/>, or null.</summary>
    public static string? Problem(SamplingParameter parameter, PlaygroundSettings settings, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(settings);
        JsonNode? value;
        switch (parameter.Kind)
        {
            case ParameterKind.Seed:
                if (string.IsNullOrWhiteSpace(settings.Seed))
                {
                    return null;
                }

                if (!long.TryParse(settings.Seed.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
                {
                    return "Seed must be a whole number (or empty for a random one).";
                }

                value = JsonValue.Create(seed);
                break;
            case ParameterKind.StopSequences:
                value = new JsonArray(StopSequences(settings.Stop).Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
                break;
            default:
                if (settings.Numbers.GetValueOrDefault(parameter.Name) is not { } number)
                {
                    return $"{parameter.Label} needs a value.";
                }

                value = JsonValue.Create(number);
                break;
        }

        return SamplingParameters.Validate(new JsonObject { [parameter.Name] = value }, model).GetValueOrDefault(parameter.Name);
    }

    /// <summary>Every problem of the settings for <paramref name="model"/>, keyed by parameter name.</summary>
    public static IReadOnlyDictionary<string, string> Problems(PlaygroundSettings settings, ModelDescriptor model)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in SamplingParameters.For(model))
        {
            if (Problem(parameter, settings, model) is { } problem)
            {
                problems[parameter.Name] = problem;
            }
        }

        return problems;
    }

    /// <summary>The stop sequences as the request carries them: one per non-empty line, <c>\n</c> and <c>\t</c> unescaped.</summary>
    public static IReadOnlyList<string> StopSequences(string? text) =>
        (text ?? "").Split('\n')
            .Select(line => line.TrimEnd('\r').Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal))
            .Where(line => line.Length > 0)
            .ToList();

    /// <summary>
    /// The request fields for the settings: parameters that differ from the model's default, the answer length always
    /// (so the reservation is the one the person sees), the seed and stop sequences when set. Call only when valid.
    /// </summary>
    public static JsonObject Parameters(PlaygroundSettings settings, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fields = new JsonObject();
        foreach (var parameter in SamplingParameters.For(model))
        {
            switch (parameter.Kind)
            {
                case ParameterKind.Seed:
                    if (long.TryParse(settings.Seed.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
                    {
                        fields[parameter.Name] = seed;
                    }

                    break;
                case ParameterKind.StopSequences:
                    var stops = StopSequences(settings.Stop);
                    if (stops.Count > 0)
                    {
                        fields[parameter.Name] = new JsonArray(stops.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
                    }

                    break;
                default:
                    if (settings.Numbers.GetValueOrDefault(parameter.Name) is { } number
                        && (parameter.Name == SamplingParameters.MaxTokens || number != parameter.Default))
                    {
                        fields[parameter.Name] = parameter.Kind == ParameterKind.Integer ? JsonValue.Create((long)number) : JsonValue.Create(number);
                    }

                    break;
            }
        }

        return fields;
    }

    /// <summary>
    /// The conversation as <paramref name="modelId"/> saw it, up to and including turn <paramref name="upTo"/>: the system
    /// prompt, every user message, and this model's earlier replies.
    /// </summary>
    public static JsonArray Messages(PlaygroundSettings settings, IReadOnlyList<PlaygroundTurn> turns, int upTo, string modelId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(turns);
        var messages = new JsonArray();
        if (!string.IsNullOrWhiteSpace(settings.SystemPrompt))
        {
            messages.Add(Message("system", settings.SystemPrompt.Trim()));
        }

        for (var i = 0; i <= upTo && i < turns.Count; i++)
        {
            messages.Add(Message("user", turns[i].User));
            if (i < upTo && turns[i].Replies.GetValueOrDefault(modelId) is { Text.Length: > 0 } reply)
            {
                messages.Add(Message("assistant", reply.Text));
            }
        }

        return messages;
    }

    /// <summary>The OpenAI chat-completions body for <paramref name="model"/>: what the gateway runs and "view code" shows.</summary>
    public static JsonObject ChatBody(ModelDescriptor model, PlaygroundSettings settings, JsonArray messages)
    {
        ArgumentNullException.ThrowIfNull(model);
        var body = new JsonObject { ["model"] = model.Id, ["messages"] = messages };
        foreach (var (name, value) in Parameters(settings, model))
        {
            body[name] = value?.DeepClone();
        }

        return body;
    }

    /// <summary>Loads a preset's model, system prompt and parameters (missing ones at the model's defaults).</summary>
    public static void ApplyPreset(PlaygroundSettings settings, Preset preset, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(preset);
        settings.Model = model.Id;
        settings.Preset = preset.Name;
        settings.SystemPrompt = preset.SystemPrompt ?? "";
        ResetParameters(settings, model);
        foreach (var (name, value) in PresetService.Parameters(preset))
        {
            switch (name)
            {
                case SamplingParameters.Seed when value is JsonValue seed && seed.TryGetValue<long>(out var s):
                    settings.Seed = s.ToString(CultureInfo.InvariantCulture);
                    break;
                case SamplingParameters.Stop when value is JsonArray stops:
                    settings.Stop = string.Join('\n', stops.Select(v => v is JsonValue t && t.TryGetValue<string>(out var text)
                        ? text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
                        : ""));
                    break;
                default:
                    if (value is JsonValue number && number.TryGetValue<double>(out var d))
                    {
                        settings.Numbers[name] = d;
                    }

                    break;
            }
        }
    }

    /// <summary>The preset a person saves from the playground: its model, system prompt and parameters.</summary>
    public static PresetDraft PresetDraft(string name, PlaygroundSettings settings, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PresetDraft(name, model.Id, string.IsNullOrWhiteSpace(settings.SystemPrompt) ? null : settings.SystemPrompt, Parameters(settings, model));
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };
}
