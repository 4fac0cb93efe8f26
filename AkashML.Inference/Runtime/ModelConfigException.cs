namespace AkashML.Inference.Runtime;

/// <summary>genai_config.json is missing a field, has a wrong type or an invalid value; <see cref="Field"/> names it.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException()
    {
    }

    public ModelConfigException(string message)
        : base(message)
    {
    }

    public ModelConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelConfigException(string field, string problem, string? source, Exception? innerException = null)
        : base($"{source ?? "genai_config.json"}: '{field}' {problem}", innerException)
    {
        Field = field;
    }

    /// <summary>The JSON path of the offending field, e.g. "model.vocab_size".</summary>
    public string Field { get; } = string.Empty;
}
