namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// The template itself refused the input by calling <c>raise_exception(message)</c>, e.g. "Conversation roles must
/// alternate user/assistant/user/assistant/...". <see cref="Exception.Message"/> is exactly the template's message,
/// so it can be shown to the API caller as a bad-request reason.
/// </summary>
public sealed class TemplateRaisedException : TemplateException
{
    public TemplateRaisedException()
    {
    }

    public TemplateRaisedException(string message)
        : base(message)
    {
    }

    public TemplateRaisedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
