namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A schema (or tool list) asks for something structured output cannot guarantee. The message starts with the
/// JSON path of the offending part, e.g. <c>response_format.json_schema.schema: keyword 'patternProperties' is not
/// supported</c>; <see cref="Parameter"/> is the top-level API parameter, so the HTTP layer answers 400 naming it.
/// </summary>
public sealed class SchemaNotSupportedException : Exception
{
    public SchemaNotSupportedException()
    {
    }

    public SchemaNotSupportedException(string message)
        : base(message)
    {
    }

    public SchemaNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SchemaNotSupportedException(string message, string parameter)
        : base(message)
    {
        Parameter = parameter;
    }

    /// <summary>The API parameter that carried the schema.</summary>
    public string? Parameter { get; }
}
