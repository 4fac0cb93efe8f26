using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Inference.Tokenizers;

namespace AkashML.Web.Backends;

/// <summary>A catalog model's prompt side only (descriptor, tokenizer, chat template); generation belongs to its backends.</summary>
public sealed class PromptTemplateModel(ModelDescriptor descriptor, ChatPrompt prompt) : ITextModel
{
    public ModelDescriptor Descriptor => descriptor;

    public ITokenizer Tokenizer => prompt.Tokenizer;

    public bool SupportsTools => prompt.SupportsTools;

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) => prompt.Render(messages, tools, addGenerationPrompt);

    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => prompt.Encode(text, isRenderedChat);

    public void EnsureSupported(GenerationRequest request)
    {
    }

    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"The model '{descriptor.Id}' generates on its backends, not here.");
}
