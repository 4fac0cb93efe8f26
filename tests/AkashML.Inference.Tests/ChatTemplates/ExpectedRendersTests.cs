using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>
/// The 20 real templates in shared/chat_templates against expected_renders.json (made with @huggingface/jinja).
/// Where the JS reference failed but Python Jinja (what transformers runs) renders, we follow Python: an undefined
/// <c>tools</c> iterates as empty, and <c>| string</c> on a dict gives its Python repr.
/// </summary>
public sealed class ExpectedRendersTests
{
    private static JsonObject? _expected;

    private static JsonObject Expected()
    {
        if (_expected is null)
        {
            var path = SharedTestData.PathOf("chat_templates/expected_renders.json");
            _expected = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        }

        return _expected;
    }

    public static TheoryData<string, string> Scenarios()
    {
        var data = new TheoryData<string, string>();
        foreach (var (template, entry) in Expected()["templates"]!.AsObject())
        {
            foreach (var (scenario, _) in entry!["scenarios"]!.AsObject())
            {
                data.Add(template, scenario);
            }
        }

        return data;
    }

    private static (ChatTemplate Template, JsonObject Scenario) Load(string name, string scenario)
    {
        var source = File.ReadAllText(SharedTestData.PathOf($"chat_templates/{name}.jinja"));
        var entry = Expected()["templates"]![name]!["scenarios"]![scenario]!.AsObject();
        return (ChatTemplate.Parse(source), entry);
    }

    [NeedsSharedTheory("chat_templates/expected_renders.json")]
    [MemberData(nameof(Scenarios))]
    public void Renders_like_the_reference(string name, string scenario)
    {
        var (template, entry) = Load(name, scenario);
        var variables = ChatTemplateTestData.Variables(entry["context"]!.AsObject());
        if (entry["ok"]!.GetValue<bool>())
        {
            var actual = template.Render(variables, ChatTemplateTestData.FrozenClock);
            Assert.Equal(entry["output"]!.GetValue<string>(), actual);
            return;
        }

        var error = entry["error"]!.GetValue<string>();
        if (error.StartsWith("Expected iterable", StringComparison.Ordinal))
        {
            // Python Jinja iterates an undefined 'tools' as empty: the conversation still renders.
            var rendered = template.Render(variables, ChatTemplateTestData.FrozenClock);
            foreach (var message in entry["context"]!["messages"]!.AsArray())
            {
                Assert.Contains(message!["content"]!.GetValue<string>(), rendered, StringComparison.Ordinal);
            }

            return;
        }

        if (error.StartsWith("Unknown ObjectValue filter: string", StringComparison.Ordinal))
        {
            // Python renders `tool | string` as the dict's repr.
            var rendered = template.Render(variables, ChatTemplateTestData.FrozenClock);
            Assert.Contains("{'type': 'function', 'function': {'name': 'get_weather', 'description': 'Get the current weather for a city'", rendered, StringComparison.Ordinal);
            return;
        }

        var raised = Assert.Throws<TemplateRaisedException>(() => template.Render(variables, ChatTemplateTestData.FrozenClock));
        Assert.Equal(error, raised.Message);
    }
}
