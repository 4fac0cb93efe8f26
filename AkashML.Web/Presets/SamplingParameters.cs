using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;

namespace AkashML.Web.Presets;

/// <summary>
/// The sampling parameters people can set in the playground and store in presets, with the ranges a given model
/// allows: <see cref="ModelDescriptor.Parameters"/> where the catalog configures them, the API's ranges otherwise.
/// </summary>
public static class SamplingParameters
{
    /// <summary>The most stop sequences a request may send (OpenAI's limit).</summary>
    public const int MaxStopSequences = 4;

    public const string Temperature = "temperature";
    public const string TopP = "top_p";
    public const string TopK = "top_k";
    public const string MaxTokens = "max_tokens";
    public const string FrequencyPenalty = "frequency_penalty";
    public const string PresencePenalty = "presence_penalty";
    public const string Seed = "seed";
    public const string Stop = "stop";

    /// <summary>The answer length the playground suggests when the catalog says nothing: short enough to be quick.</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>The parameters in the order the playground lists them, with <paramref name="model"/>'s ranges.</summary>
    public static IReadOnlyList<SamplingParameter> For(ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var outputCap = model.MaxOutputTokens is { } cap ? Math.Min(cap, model.ContextLength - 1) : model.ContextLength - 1;
        outputCap = Math.Max(outputCap, 1);
        return
        [
            Ranged(model, Temperature, "Temperature", ParameterKind.Number, 0, 2, 1, 0.05, "Higher is more random; 0 always picks the likeliest token."),
            Ranged(model, TopP, "Top P", ParameterKind.Number, 0, 1, 1, 0.01, "Samples only from the smallest set of tokens whose probabilities add up to this."),
            Ranged(model, TopK, "Top K", ParameterKind.Integer, 0, 200, 0, 1, "Samples only from the K likeliest tokens; 0 turns it off."),
            Ranged(model, MaxTokens, "Max tokens", ParameterKind.Integer, 1, outputCap, Math.Min(DefaultMaxTokens, outputCap), 1, "The longest answer to generate."),
            Ranged(model, FrequencyPenalty, "Frequency penalty", ParameterKind.Number, -2, 2, 0, 0.05, "Discourages tokens in proportion to how often they appeared."),
            Ranged(model, PresencePenalty, "Presence penalty", ParameterKind.Number, -2, 2, 0, 0.05, "Discourages tokens that appeared at all."),
            new(Seed, "Seed", ParameterKind.Seed, long.MinValue, long.MaxValue, 0, 1, "The same seed and settings give the same answer; empty is random."),
            new(Stop, "Stop sequences", ParameterKind.StopSequences, 0, MaxStopSequences, 0, 1,
                "Up to four strings, one per line, that end the answer (not included in it)."),
        ];
    }

    /// <summary>
    /// Checks a parameter object against <paramref name="model"/>'s ranges: every problem, keyed by parameter name.
    /// Unknown names are problems too, so a typo is not silently ignored.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Validate(JsonObject parameters, ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        // Re-read as parsed JSON: values built in code (int, long, double) then convert to any numeric type alike.
        parameters = (JsonObject)JsonNode.Parse(parameters.ToJsonString())!;
        var known = For(model).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            if (!known.TryGetValue(name, out var parameter))
            {
                problems[name] = $"'{name}' is not a parameter presets can set.";
                continue;
            }

            if (Check(parameter, value) is { } problem)
            {
                problems[name] = problem;
            }
        }

        return problems;
    }

    private static string? Check(SamplingParameter parameter, JsonNode? value)
    {
        switch (parameter.Kind)
        {
            case ParameterKind.StopSequences:
                if (value is not JsonArray array || array.Any(s => s is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                {
                    return "Stop sequences must be a list of strings.";
                }

                return array.Count > MaxStopSequences
                    ? string.Create(CultureInfo.InvariantCulture, $"At most {MaxStopSequences} stop sequences, got {array.Count}.")
                    : null;
            case ParameterKind.Seed:
                return value is JsonValue seed && seed.GetValueKind() == JsonValueKind.Number && seed.TryGetValue<long>(out _)
                    ? null
                    : "Seed must be a whole number.";
            default:
                if (value is not JsonValue number || number.GetValueKind() != JsonValueKind.Number)
                {
                    return $"{parameter.Label} must be a number.";
                }

                var d = number.GetValue<double>();
                if (parameter.Kind == ParameterKind.Integer && d != Math.Floor(d))
                {
                    return $"{parameter.Label} must be a whole number.";
                }

                return d < parameter.Min || d > parameter.Max
                    ? string.Create(CultureInfo.InvariantCulture, $"{parameter.Label} must be between {parameter.Min} and {parameter.Max}.")
                    : null;
        }
    }

    private static SamplingParameter Ranged(ModelDescriptor model, string name, string label, ParameterKind kind, double min, double max, double fallbackDefault, double step, string help)
    {
        // The catalog narrows the API's range; it never widens it past what the API accepts, and a range that would be
        // empty (a configuration mistake) is ignored rather than making the parameter unusable.
        if (model.Parameters.TryGetValue(name, out var configured) && Math.Max(min, configured.Min) <= Math.Min(max, configured.Max))
        {
            min = Math.Max(min, configured.Min);
            max = Math.Min(max, configured.Max);
            fallbackDefault = Math.Clamp(configured.Default, min, max);
        }

        return new SamplingParameter(name, label, kind, min, max, fallbackDefault, step, help);
    }
}
