using System.Text.Json.Nodes;

namespace AkashML.Inference.Generation.Structured;

/// <summary>What a <see cref="StructuredGrammar"/> is compiled from.</summary>
public enum GrammarSourceKind
{
    /// <summary>A JSON Schema for the whole answer (OpenAI's <c>json_schema</c> response format, Anthropic's output format).</summary>
    ResponseFormat,

    /// <summary>Tools in OpenAI's shape, some strict, under a tool choice.</summary>
    Tools,
}

/// <summary>
/// The input a <see cref="StructuredGrammar"/> was compiled from, as the gateway validated it. A compiled grammar is an
/// object graph with no wire form; this is what another process (an inference node) receives and compiles with the
/// same compiler, so both ends hold the same grammar (equal <see cref="StructuredGrammar.Key"/>).
/// </summary>
/// <param name="Document">The schema (<see cref="GrammarSourceKind.ResponseFormat"/>) or the tools array.</param>
/// <param name="Path">The JSON path of a response-format schema in the API request, for error messages.</param>
/// <param name="Parameter">The API parameter that carried it (<c>response_format</c>, <c>output_config</c>, <c>tools</c>).</param>
/// <param name="Choice">For tools: <c>auto</c> or <c>required</c>.</param>
/// <param name="FunctionName">For tools: the one function a tool choice names, if any.</param>
public sealed record GrammarSource(GrammarSourceKind Kind, JsonNode Document, string Path, string Parameter, string Choice = "auto", string? FunctionName = null)
{
    /// <summary>Compiles it again; <see cref="SchemaNotSupportedException"/> as when it was first compiled.</summary>
    public StructuredGrammar? Compile() => Kind switch
    {
        GrammarSourceKind.ResponseFormat => JsonSchemaCompiler.CompileResponseFormat(Document, Path, Parameter),
        GrammarSourceKind.Tools => ToolCallGrammar.Build(Document as JsonArray ?? throw new SchemaNotSupportedException("tools: must be an array.", "tools"), Choice, FunctionName),
        _ => throw new SchemaNotSupportedException($"{Parameter}: unknown grammar kind {Kind}.", Parameter),
    };
}
