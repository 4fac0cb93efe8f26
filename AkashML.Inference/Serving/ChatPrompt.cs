using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Serving;

/// <summary>
/// The prompt side of a model folder, whichever engine runs it: its tokenizer and its chat template (the plain chat
/// format when the folder has none), turning chats and raw prompts into prompt tokens.
/// </summary>
public sealed class ChatPrompt
{
    private readonly IChatPromptRenderer _renderer;

    private ChatPrompt(HuggingFaceTokenizer tokenizer, IChatPromptRenderer renderer, bool supportsTools)
    {
        Tokenizer = tokenizer;
        _renderer = renderer;
        SupportsTools = supportsTools;
    }

    public HuggingFaceTokenizer Tokenizer { get; }

    /// <summary>Whether the chat template renders tool definitions.</summary>
    public bool SupportsTools { get; }

    public static ChatPrompt FromDirectory(string directory)
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(directory);
        var source = tokenizer.Config.ChatTemplate;
        IChatPromptRenderer renderer = source is null ? PlainChatFormat.Instance : ChatTemplate.Parse(source);
        return new ChatPrompt(tokenizer, renderer, source is not null && source.Contains("tools", StringComparison.Ordinal));
    }

    public string Render(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) =>
        _renderer.Render(new ChatTemplateContext
        {
            Messages = ChatTemplateContext.FromJson(messages),
            Tools = tools is null ? null : ChatTemplateContext.FromJson(tools),
            AddGenerationPrompt = addGenerationPrompt,
            BosToken = Tokenizer.Config.BosToken,
            EosToken = Tokenizer.Config.EosToken,
        });

    /// <summary>
    /// Rendered chats already carry the template's BOS text, so only raw prompts get the tokenizer's special tokens.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool isRenderedChat) => Tokenizer.Encode(text, addSpecialTokens: !isRenderedChat);
}
