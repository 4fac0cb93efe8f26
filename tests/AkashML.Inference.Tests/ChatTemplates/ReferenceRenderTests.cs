using System.Text;
using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>
/// Compares our renders with Hugging Face's reference implementation (@huggingface/jinja), case by case, from
/// template-reference.json. Where the reference fails, we must fail too, except for its known departures from
/// Python Jinja (what transformers runs): iterating an undefined value, <c>| string</c> on a dict and <c>| trim</c>
/// on None (Python stringifies both).
/// </summary>
public sealed class ReferenceRenderTests
{
    private const string DirectoryVariable = ReferenceOutputFactAttribute.Variable;

    private static readonly string[] PythonRendersWhereReferenceFails =
    [
        "Expected iterable or object type in for loop: got UndefinedValue",
        "Unknown ObjectValue filter: string",
        "Cannot apply filter \"trim\" to type: NullValue",
    ];

    [ReferenceOutputFact]
    public void Every_reference_case_renders_the_same()
    {
        var path = Path.Combine(Environment.GetEnvironmentVariable(DirectoryVariable)!, "template-reference.json");
        Assert.True(File.Exists(path), $"{DirectoryVariable} is set but {path} does not exist: run tests/reference/render-templates.mjs first");

        var reference = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var templates = reference["templates"]!.AsObject()
            .ToDictionary(p => p.Key, p => ChatTemplate.Parse(p.Value!.GetValue<string>()), StringComparer.Ordinal);
        var cases = reference["cases"]!.AsArray();
        Assert.NotEmpty(cases);

        var failures = new StringBuilder();
        var compared = 0;
        foreach (var item in cases)
        {
            var id = item!["id"]!.GetValue<string>();
            var template = templates[item["template"]!.GetValue<string>()];
            var variables = ChatTemplateTestData.Variables(item["context"]!.AsObject());
            var failure = Check(template, variables, item.AsObject());
            if (failure is not null)
            {
                failures.Append(id).Append(": ").AppendLine(failure);
            }

            compared++;
        }

        Assert.True(failures.Length == 0, $"{compared} cases compared; mismatches:\n{failures}");
    }

    private static string? Check(ChatTemplate template, Dictionary<string, object?> variables, JsonObject item)
    {
        string? actual = null;
        TemplateException? thrown = null;
        try
        {
            actual = template.Render(variables, ChatTemplateTestData.FrozenClock);
        }
        catch (TemplateException e)
        {
            thrown = e;
        }

        if (item["ok"]!.GetValue<bool>())
        {
            var expected = item["output"]!.GetValue<string>();
            if (expected.Contains("[object Map]", StringComparison.Ordinal))
            {
                // The reference stringified a dict where Python raises TypeError (e.g. str + dict).
                return thrown is TemplateRuntimeException ? null : "expected a TemplateRuntimeException where the reference wrote '[object Map]'";
            }

            if (thrown is not null)
            {
                return $"reference rendered, we threw {thrown.GetType().Name}: {thrown.Message}";
            }

            return expected == actual ? null : $"output differs at {FirstDifference(expected, actual!)}\n  expected: {Json(expected)}\n  actual:   {Json(actual!)}";
        }

        var error = item["error"]!.GetValue<string>();
        if (PythonRendersWhereReferenceFails.Any(e => error.StartsWith(e, StringComparison.Ordinal)))
        {
            return thrown is null ? null : $"expected a render (Python semantics), got {thrown.GetType().Name}: {thrown.Message}";
        }

        if (thrown is null)
        {
            return $"reference failed ({error}) but we rendered";
        }

        return thrown is TemplateRaisedException && thrown.Message != error
            ? $"raised '{thrown.Message}', reference raised '{error}'"
            : null;
    }

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i;
    }

    private static string Json(string text) => JsonValue.Create(text).ToJsonString();
}
