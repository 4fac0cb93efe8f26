namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Base of every error a chat template raises, at parse time or while rendering.
/// <see cref="Line"/> and <see cref="Column"/> (1-based) point into the template source; 0 when unknown.
/// </summary>
public class TemplateException : Exception
{
    public TemplateException()
    {
    }

    public TemplateException(string message)
        : base(message)
    {
        Reason = message;
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public TemplateException(string message, int line, int column)
        : base(line > 0 ? $"{message} (line {line}, column {column})" : message)
    {
        Reason = message;
        Line = line;
        Column = column;
    }

    /// <summary>The message without the position suffix.</summary>
    public string Reason { get; } = string.Empty;

    /// <summary>1-based line in the template source, or 0.</summary>
    public int Line { get; }

    /// <summary>1-based column in the template source, or 0.</summary>
    public int Column { get; }
}
