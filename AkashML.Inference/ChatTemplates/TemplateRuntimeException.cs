namespace AkashML.Inference.ChatTemplates;

/// <summary>Rendering failed: a type error, an undefined value used where a value is required, a bad argument.</summary>
public sealed class TemplateRuntimeException : TemplateException
{
    public TemplateRuntimeException()
    {
    }

    public TemplateRuntimeException(string message)
        : base(message)
    {
    }

    public TemplateRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TemplateRuntimeException(string message, int line, int column)
        : base(message, line, column)
    {
    }
}
