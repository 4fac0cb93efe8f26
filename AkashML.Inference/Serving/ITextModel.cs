using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Serving;

/// <summary>A loaded model ready to serve text requests.</summary>
public interface ITextModel
{
    ModelDescriptor Descriptor { get; }

    ITokenizer Tokenizer { get; }

    /// <summary>True when the model's chat template knows what to do with <c>tools</c>.</summary>
    bool SupportsTools { get; }

    /// <summary>
    /// Renders chat messages (Hugging Face shape: role, content, tool_calls…) with the model's chat template, or the
    /// documented plain fallback when it has none.
    /// </summary>
    string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt);

    /// <summary>Tokenizes a rendered prompt the way the model expects (BOS handling included).</summary>
    IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat);

    /// <summary>
    /// Throws <see cref="UnsupportedGenerationFeatureException"/> naming the first parameter of <paramref name="request"/>
    /// this model's engine cannot honour; the APIs call it before reserving credits or starting a response.
    /// </summary>
    void EnsureSupported(GenerationRequest request);

    /// <summary>Streams the choices' text as it is generated; each choice ends with an update carrying its finish reason.</summary>
    IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken);
}
