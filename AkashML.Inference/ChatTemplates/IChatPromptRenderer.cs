namespace AkashML.Inference.ChatTemplates;

/// <summary>Turns a conversation into the prompt text a model is trained on.</summary>
public interface IChatPromptRenderer
{
    /// <summary>Renders the conversation. Throws a <see cref="TemplateException"/> subtype when it cannot.</summary>
    string Render(ChatTemplateContext context);
}
