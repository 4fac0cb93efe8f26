using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;
using Microsoft.Extensions.AI;

namespace AkashML.Inference.Serving;

/// <summary>
/// <see cref="IChatClient"/> over a loaded model, for code that speaks Microsoft.Extensions.AI. Streaming ends with an
/// update carrying the input and output token counts (the billing meter).
/// </summary>
public sealed class TextModelChatClient(ITextModel model, bool ownsModel = false) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("akashml-onnxruntime", defaultModelId: model.Descriptor.Id);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        UsageDetails? usage = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            text.Append(update.Text);
            finish = update.FinishReason ?? finish;
            if (update.Contents.OfType<UsageContent>().FirstOrDefault() is { } counted)
            {
                usage = counted.Details;
            }
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            FinishReason = finish,
            ModelId = model.Descriptor.Id,
            Usage = usage,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var prompt = model.EncodePrompt(model.RenderChat(ToTemplateMessages(messages), null, addGenerationPrompt: true), isRenderedChat: true);
        var remaining = model.Descriptor.ContextLength - prompt.Count;
        if (remaining < 1)
        {
            throw new ArgumentException($"The conversation has {prompt.Count} tokens; the model's context length is {model.Descriptor.ContextLength}.", nameof(messages));
        }

        var request = new GenerationRequest
        {
            PromptTokens = prompt,
            MaxNewTokens = Math.Min(options?.MaxOutputTokens ?? remaining, remaining),
            Temperature = options?.Temperature ?? 1.0,
            TopP = options?.TopP ?? 1.0,
            TopK = options?.TopK ?? 0,
            Seed = options?.Seed,
            FrequencyPenalty = options?.FrequencyPenalty ?? 0,
            PresencePenalty = options?.PresencePenalty ?? 0,
            StopSequences = options?.StopSequences?.ToList() ?? [],
            JsonObject = options?.ResponseFormat is ChatResponseFormatJson { Schema: null },
            Grammar = options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema }
                ? JsonSchemaCompiler.CompileResponseFormat(JsonNode.Parse(schema.GetRawText()), "response_format.json_schema.schema")
                : null,
        };
        if (request.Grammar is { } grammar && grammar.MinLength > request.MaxNewTokens)
        {
            throw new ArgumentException($"The shortest output that satisfies the response format needs up to {grammar.MinLength} tokens; {request.MaxNewTokens} may be generated.", nameof(options));
        }

        model.EnsureSupported(request);

        var responseId = "chat-" + Guid.CreateVersion7().ToString("N");
        var completionTokens = 0;
        await foreach (var update in model.GenerateAsync(request, cancellationToken))
        {
            completionTokens = update.CompletionTokens;
            if (update.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, update.Text) { ResponseId = responseId, ModelId = model.Descriptor.Id };
            }

            if (update.FinishReason is { } reason)
            {
                yield return new ChatResponseUpdate
                {
                    Role = ChatRole.Assistant,
                    ResponseId = responseId,
                    ModelId = model.Descriptor.Id,
                    FinishReason = reason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
                    Contents =
                    [
                        new UsageContent(new UsageDetails
                        {
                            InputTokenCount = prompt.Count,
                            OutputTokenCount = completionTokens,
                            TotalTokenCount = prompt.Count + completionTokens,
                        }),
                    ],
                };
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(model) ? model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        if (ownsModel && model is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private static JsonArray ToTemplateMessages(IEnumerable<ChatMessage> messages)
    {
        var array = new JsonArray();
        foreach (var message in messages)
        {
            array.Add(new JsonObject { ["role"] = message.Role.Value, ["content"] = message.Text });
        }

        return array;
    }
}
