using System.Collections.Concurrent;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;

namespace AkashML.Web.Backends;

/// <summary>
/// The tokenizer and chat template of each routed model, read once from its catalog folder without loading its weights:
/// a gateway renders and counts prompts with them whichever backend generates (and a gateway-role process has no
/// weights to load).
/// </summary>
public sealed class PromptTemplates
{
    private readonly ConcurrentDictionary<string, Lazy<ChatPrompt>> _prompts = new(StringComparer.Ordinal);

    public ChatPrompt For(ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return _prompts.GetOrAdd(descriptor.Id, _ => new Lazy<ChatPrompt>(() => ChatPrompt.FromDirectory(descriptor.Path))).Value;
    }

    /// <summary>A model that renders and counts prompts but cannot generate: what a routed model's backends are wrapped around.</summary>
    public ITextModel TemplateFor(ModelDescriptor descriptor) => new PromptTemplateModel(descriptor, For(descriptor));
}
