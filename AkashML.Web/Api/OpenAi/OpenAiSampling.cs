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
    public static GenerationRequest Read(JsonBody body, IReadOnlyList<int> prompt, int maxNewTokens)
    {
        var n = body.OptionalInt("n", 1, 16) ?? 1;
        return new GenerationRequest
        {
            PromptTokens = prompt,
            MaxNewTokens = maxNewTokens,
            Temperature = body.OptionalNumber("temperature", 0, 2) ?? 1.0,
            TopP = body.OptionalNumber("top_p", 0, 1) ?? 1.0,
            TopK = body.OptionalInt("top_k", -1, 1_000_000) is { } k && k > 0 ? k : 0,
            MinP = body.OptionalNumber("min_p", 0, 1) ?? 0,
            FrequencyPenalty = body.OptionalNumber("frequency_penalty", -2, 2) ?? 0,
            PresencePenalty = body.OptionalNumber("presence_penalty", -2, 2) ?? 0,
            RepetitionPenalty = body.OptionalNumber("repetition_penalty", 0.01, 10) ?? 1.0,
            Seed = body.OptionalLong("seed"),
            StopSequences = ReadStop(body),
            LogitBias = ReadLogitBias(body),
            N = n,
        };
    }

    public static bool IncludeUsageInStream(JsonBody body) =>
        body.Node("stream_options") switch
        {
            null => false,
            JsonObject options => options["include_usage"] is JsonValue v && v.GetValueKind() == JsonValueKind.True,
            _ => throw ApiException.InvalidParameter("stream_options", "'stream_options' must be an object."),
        };

    private static IReadOnlyList<string> ReadStop(JsonBody body)
    {
        switch (body.Node("stop"))
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

    private static Dictionary<int, double>? ReadLogitBias(JsonBody body)
    {
        switch (body.Node("logit_bias"))
        {
            case null:
                return null;
            case JsonObject map:
                var bias = new Dictionary<int, double>(map.Count);
                foreach (var (key, value) in map)
                {
                    if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var token))
                    {
                        throw ApiException.InvalidParameter("logit_bias", $"'logit_bias' keys must be token ids, got '{key}'.");
                    }

                    if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || v.GetValue<double>() is < -100 or > 100)
                    {
                        throw ApiException.InvalidParameter("logit_bias", $"'logit_bias' values must be numbers between -100 and 100 (token {key}).");
                    }

                    bias[token] = v.GetValue<double>();
                }

                return bias;
            default:
                throw ApiException.InvalidParameter("logit_bias", "'logit_bias' must be an object mapping token ids to biases.");
        }
    }
}
