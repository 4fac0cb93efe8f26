using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;
using AkashML.Web.Presets;

namespace AkashML.Web.Api.OpenAi;

/// <summary>The sampling parameters that completions and chat completions share, validated with OpenAI's ranges.</summary>
public static class OpenAiSampling
{
    /// <summary>Fills the sampling part of a request; the caller sets prompt, max tokens and log-probabilities.</summary>
    public static GenerationRequest Read(SamplingBody body, IReadOnlyList<int> prompt, int maxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new GenerationRequest
        {
            PromptTokens = prompt,
            MaxNewTokens = maxNewTokens,
            Temperature = JsonBody.InRange(body.Temperature, "temperature", 0, 2) ?? 1.0,
            TopP = JsonBody.InRange(body.TopP, "top_p", 0, 1) ?? 1.0,
            TopK = JsonBody.InRange(body.TopK, "top_k", -1, 1_000_000) is { } k && k > 0 ? k : 0,
            MinP = JsonBody.InRange(body.MinP, "min_p", 0, 1) ?? 0,
            FrequencyPenalty = JsonBody.InRange(body.FrequencyPenalty, "frequency_penalty", -2, 2) ?? 0,
            PresencePenalty = JsonBody.InRange(body.PresencePenalty, "presence_penalty", -2, 2) ?? 0,
            RepetitionPenalty = JsonBody.InRange(body.RepetitionPenalty, "repetition_penalty", 0.01, 10) ?? 1.0,
            Seed = body.Seed,
            StopSequences = ReadStop(body.Stop),
            LogitBias = ReadLogitBias(body.LogitBias),
            N = JsonBody.InRange(body.N, "n", 1, 16) ?? 1,
        };
    }

    public static bool IncludeUsageInStream(SamplingBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return body.StreamOptions?.IncludeUsage ?? false;
    }

    private static IReadOnlyList<string> ReadStop(JsonNode? stop)
    {
        switch (stop)
        {
            case null:
                return [];
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>() is { Length: > 0 } single ? [single] : [];
            case JsonArray array:
                if (array.Count > SamplingParameters.MaxStopSequences)
                {
                    throw ApiException.InvalidParameter("stop", string.Create(CultureInfo.InvariantCulture,
                        $"'stop' accepts at most {SamplingParameters.MaxStopSequences} sequences, got {array.Count}."));
                }

                var stops = new List<string>(array.Count);
                foreach (var item in array)
                {
                    if (item is not JsonValue s || s.GetValueKind() != JsonValueKind.String)
                    {
                        throw ApiException.InvalidParameter("stop", "'stop' must be a string or an array of strings.");
                    }

                    if (s.GetValue<string>() is { Length: > 0 } text)
                    {
                        stops.Add(text);
                    }
                }

                return stops;
            default:
                throw ApiException.InvalidParameter("stop", "'stop' must be a string or an array of strings.");
        }
    }

    private static Dictionary<int, double>? ReadLogitBias(Dictionary<string, double>? map)
    {
        if (map is null)
        {
            return null;
        }

        var bias = new Dictionary<int, double>(map.Count);
        foreach (var (key, value) in map)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var token))
            {
                throw ApiException.InvalidParameter("logit_bias", $"'logit_bias' keys must be token ids, got '{key}'.");
            }

            if (value is < -100 or > 100)
            {
                throw ApiException.InvalidParameter("logit_bias", $"'logit_bias' values must be numbers between -100 and 100 (token {key}).");
            }

            bias[token] = value;
        }

        return bias;
    }
}
