using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Inference.Tokenizers;

namespace AkashML.Web.Backends;

/// <summary>
/// A model served by a <see cref="BackendPool"/>: prompts are rendered and counted with the local catalog entry's
/// tokenizer and chat template (<paramref name="template"/>), whichever backend then generates. A request must be
/// supported by every backend it could land on. The gateway takes its slot explicitly (<see cref="BackendPool.AcquireAsync"/>)
/// before it answers anything; <see cref="GenerateAsync"/> takes one itself for other callers.
/// </summary>
public sealed class RoutedModel(BackendPool pool, ITextModel template) : ITextModel
{
    public BackendPool Pool => pool;

    public ModelDescriptor Descriptor => template.Descriptor;

    public ITokenizer Tokenizer => template.Tokenizer;

    public bool SupportsTools => template.SupportsTools;

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) => template.RenderChat(messages, tools, addGenerationPrompt);

    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => template.EncodePrompt(text, isRenderedChat);

    public void EnsureSupported(GenerationRequest request)
    {
        foreach (var backend in pool.Backends)
        {
            if (backend.Entry.Enabled && backend.Model is { } model)
            {
                model.EnsureSupported(request);
            }
        }
    }

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var lease = await pool.AcquireAsync(cancellationToken);
        await foreach (var update in lease.GenerateAsync(request, cancellationToken))
        {
            yield return update;
        }
    }
}
