using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;

namespace AkashML.Web.Nodes;

/// <summary>
/// A grammar in a generate request: its <see cref="GrammarSource"/> (the schema or the tools as the gateway validated
/// them), which the node compiles again with the same compiler; a compiled grammar has no wire form.
/// </summary>
/// <param name="Kind"><c>response_format</c> or <c>tools</c>.</param>
public sealed record NodeGrammar(string Kind, JsonNode? Document, string Path, string Parameter, string Choice = "auto", string? FunctionName = null)
{
    public const string ResponseFormat = "response_format";

    public const string Tools = "tools";

    public static NodeGrammar From(GrammarSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var kind = source.Kind switch
        {
            GrammarSourceKind.ResponseFormat => ResponseFormat,
            GrammarSourceKind.Tools => Tools,
            _ => throw new ArgumentOutOfRangeException(nameof(source), source.Kind, "no wire name for this grammar kind"),
        };
        return new NodeGrammar(kind, source.Document, source.Path, source.Parameter, source.Choice, source.FunctionName);
    }

    /// <summary>Call after <see cref="Problem"/> found none.</summary>
    public GrammarSource ToSource() =>
        new(Kind == Tools ? GrammarSourceKind.Tools : GrammarSourceKind.ResponseFormat, Document!, Path, Parameter, Choice, FunctionName);

    /// <summary>The first field the node cannot compile as sent, as a reason; null when it is usable.</summary>
    public string? Problem() =>
        string.IsNullOrEmpty(Path) || string.IsNullOrEmpty(Parameter) ? "grammar.path and grammar.parameter are required"
        : Kind switch
        {
            ResponseFormat => Document is JsonObject ? null : "grammar.document must be a JSON Schema object for a response_format grammar",
            Tools when Choice is not ("auto" or "required") => "grammar.choice must be 'auto' or 'required'",
            Tools => Document is JsonArray tools && tools.All(IsTool) ? null : "grammar.document must be an array of {\"type\":\"function\",\"function\":{\"name\":...}} for a tools grammar",
            _ => "grammar.kind must be 'response_format' or 'tools'",
        };

    // The shape the gateway's tools check accepts (ChatRequest.ReadTools); the compiler relies on it.
    private static bool IsTool(JsonNode? tool) =>
        tool is JsonObject t && t["function"] is JsonObject f && f["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String;
}
