namespace AkashML.Inference.ChatTemplates;

/// <summary>The template source is not valid (unclosed tag or block, unexpected token, unknown filter or test).</summary>
public sealed class TemplateSyntaxException : TemplateException
{
    public TemplateSyntaxException()
    {
    }

    public TemplateSyntaxException(string message)
        : base(message)
    {
    }

    public TemplateSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TemplateSyntaxException(string message, int line, int column)
        : base(message, line, column)
    {
    }
}
