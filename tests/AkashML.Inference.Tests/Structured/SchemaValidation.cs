using System.Text.Json;
using Json.Schema;

namespace AkashML.Inference.Tests.Structured;

/// <summary>
/// Validates instances with JsonSchema.Net (formats asserted), independently of our own schema compiler. Linked into
/// the integration tests too.
/// </summary>
internal static class SchemaValidation
{
    /// <summary>Null when <paramref name="instance"/> parses and is valid against <paramref name="schema"/>; otherwise why not.</summary>
    public static string? Problem(string schema, string instance)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(instance);
        }
        catch (JsonException ex)
        {
            return "not JSON: " + ex.Message;
        }

        using (document)
        {
            var compiled = JsonSchema.FromText(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            var result = compiled.Evaluate(document.RootElement, new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
            return result.IsValid ? null : "invalid: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}")));
        }
    }
}
