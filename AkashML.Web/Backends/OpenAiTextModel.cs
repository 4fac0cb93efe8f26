using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Inference.Tokenizers;

namespace AkashML.Web.Backends;

/// <summary>
/// A model served by an OpenAI-compatible upstream through its streaming <c>/completions</c>: the prompt is sent as
/// text (our prompt tokens decoded with the local catalog entry's tokenizer), and the upstream's <c>usage</c> is what
/// the call is charged; where it sends none, our tokenizer counts the text it streamed.
/// </summary>
public sealed class OpenAiTextModel(ITextModel template, OpenAiBackend backend, string upstreamModel) : ITextModel
{
    public ModelDescriptor Descriptor => template.Descriptor;

    public ITokenizer Tokenizer => template.Tokenizer;

    public bool SupportsTools => template.SupportsTools;

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) => template.RenderChat(messages, tools, addGenerationPrompt);

    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => template.EncodePrompt(text, isRenderedChat);

    /// <summary>What the OpenAI completions API cannot carry (token-id features, our own samplers, constraints) is refused by name.</summary>
    public void EnsureSupported(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refused = request switch
        {
            { BestOf: > 1 } => "best_of",
            { Grammar: not null } or { JsonObject: true } => "response_format",
            { TopLogprobs: not null } => "logprobs",
            { LogitBias.Count: > 0 } => "logit_bias",
            { TopK: not 0 } => "top_k",
            { MinP: not 0 } => "min_p",
            { RepetitionPenalty: not 1.0 } => "repetition_penalty",
            _ => null,
        };
        if (refused is not null)
        {
            throw new UnsupportedGenerationFeatureException(
                $"The model '{Descriptor.Id}' is served by an OpenAI-compatible upstream, which does not support '{refused}'.", refused);
        }
    }

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = backend.NewRequest(HttpMethod.Post, "completions");
        message.Content = new StringContent(Body(request).ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await backend.Client().SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new BackendFailureException($"The upstream {backend.Target} could not be reached: {ex.Message}", ex);
        }

        // Disposing the response closes the connection, which is how the upstream learns the caller went away.
        using (response)
        {
            await EnsureAcceptedAsync(response, cancellationToken);
            var choices = new ChoiceCount[request.N];
            for (var i = 0; i < choices.Length; i++)
            {
                choices[i] = new ChoiceCount();
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            JsonNode? usage = null;
            var done = false;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]"))
                {
                    done = true;
                    break;
                }

                var chunk = Parse(data.ToString());
                if (chunk["usage"] is JsonObject chunkUsage)
                {
                    usage = chunkUsage;
                }

                if (chunk["choices"] is not JsonArray array)
                {
                    continue;
                }

                foreach (var item in array)
                {
                    var index = item?["index"]?.GetValue<int>() ?? 0;
                    if (index < 0 || index >= choices.Length)
                    {
                        throw new BackendFailureException($"The upstream {backend.Target} sent choice {index.ToString(CultureInfo.InvariantCulture)} of {choices.Length.ToString(CultureInfo.InvariantCulture)}.");
                    }

                    var text = item?["text"]?.GetValue<string>() ?? "";
                    var choice = choices[index];
                    choice.Text.Append(text);
                    if (text.Length > 0)
                    {
                        // Mid-stream counts add each piece's tokens (exact at the end), so a call stopped half-way is charged what it saw.
                        choice.Tokens += Tokenizer.Encode(text).Count;
                    }

                    if (item?["finish_reason"]?.GetValue<string>() is { } reason)
                    {
                        // The last update of a choice waits for the usage, which comes after every choice has finished.
                        choice.Finish = reason == "length" ? FinishReason.Length : FinishReason.Stop;
                        choice.Tail = text;
                    }
                    else if (text.Length > 0)
                    {
                        yield return new GenerationUpdate(index, text, [], null, null, choice.Tokens);
                    }
                }
            }

            if (!done && choices.Any(c => c.Finish is null))
            {
                throw new BackendFailureException($"The upstream {backend.Target} ended its stream before every choice finished.");
            }

            foreach (var update in Finish(request, choices, usage))
            {
                yield return update;
            }
        }
    }

    /// <summary>
    /// The last update of every choice, counted: the upstream's <c>usage</c> when it sent one (its completion tokens
    /// shared by our counts, the rest on the last choice), else our tokenizer over each choice's whole text.
    /// </summary>
    private IEnumerable<GenerationUpdate> Finish(GenerationRequest request, ChoiceCount[] choices, JsonNode? usage)
    {
        foreach (var choice in choices)
        {
            choice.Tokens = choice.Text.Length == 0 ? 0 : Tokenizer.Encode(choice.Text.ToString()).Count;
        }

        int? prompt = null;
        if (usage?["completion_tokens"]?.GetValue<int>() is { } completion)
        {
            var others = choices.Take(choices.Length - 1).Sum(c => c.Tokens);
            choices[^1].Tokens = Math.Max(0, completion - others);
            prompt = usage["prompt_tokens"]?.GetValue<int>();
        }

        for (var i = 0; i < choices.Length; i++)
        {
            var choice = choices[i];
            var reason = choice.Finish ?? (choice.Tokens >= request.MaxNewTokens ? FinishReason.Length : FinishReason.Stop);
            yield return new GenerationUpdate(i, choice.Tail, [], null, reason, choice.Tokens, PromptTokens: i == 0 ? prompt : null);
        }
    }

    private JsonObject Body(GenerationRequest request)
    {
        var body = new JsonObject
        {
            ["model"] = upstreamModel,
            ["prompt"] = Tokenizer.Decode(request.PromptTokens),
            ["max_tokens"] = request.MaxNewTokens,
            ["temperature"] = request.Temperature,
            ["top_p"] = request.TopP,
            ["n"] = request.N,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (request.FrequencyPenalty != 0)
        {
            body["frequency_penalty"] = request.FrequencyPenalty;
        }

        if (request.PresencePenalty != 0)
        {
            body["presence_penalty"] = request.PresencePenalty;
        }

        if (request.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        if (request.StopSequences.Count > 0)
        {
            body["stop"] = new JsonArray(request.StopSequences.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        }

        return body;
    }

    /// <summary>
    /// A refusal of the request itself (4xx) is the caller's: it is answered with the upstream's message and not
    /// retried. Anything else (5xx, 429, 401/403 from a misconfigured key) is the backend's failure.
    /// </summary>
    private async Task EnsureAcceptedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var upstreamMessage = TryMessage(text) ?? text;
        if (upstreamMessage.Length > 500)
        {
            upstreamMessage = upstreamMessage[..500];
        }

        if (status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge)
        {
            throw new BackendRefusedException(BackendRefusal.RequestRefused, Descriptor.Id, $"The model's upstream refused the request: {upstreamMessage}");
        }

        throw new BackendFailureException($"The upstream {backend.Target} answered {((int)status).ToString(CultureInfo.InvariantCulture)}: {upstreamMessage}");
    }

    private static string? TryMessage(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"]?["message"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private JsonNode Parse(string data)
    {
        try
        {
            return JsonNode.Parse(data) ?? throw new BackendFailureException($"The upstream {backend.Target} sent an empty event.");
        }
        catch (JsonException ex)
        {
            throw new BackendFailureException($"The upstream {backend.Target} sent an event that is not JSON.", ex);
        }
    }

    private sealed class ChoiceCount
    {
        public StringBuilder Text { get; } = new();

        public int Tokens { get; set; }

        public FinishReason? Finish { get; set; }

        public string Tail { get; set; } = "";
    }
}
