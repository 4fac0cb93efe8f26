using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>How <see cref="ChatTemplateContext"/> becomes template variables, and rendering from many threads.</summary>
public sealed class ChatTemplateContextTests
{
    private const string Probe =
        "{{ messages | length }}|{{ tools is defined }}|{{ bos_token is defined }}|{{ eos_token }}|{{ add_generation_prompt }}|" +
        "{{ enable_thinking }}|{% for m in messages %}{{ m.role }}:{% if m.content is string or m.content is none %}{{ m.content }}{% else %}" +
        "{% for p in m.content %}[{{ p.type }}={{ p.text }}]{% endfor %}{% endif %}{% if m.tool_calls %} calls={{ m.tool_calls | tojson }}{% endif %};{% endfor %}";

    [Fact]
    public void Clr_messages_content_parts_and_extra_variables_reach_the_template()
    {
        var context = new ChatTemplateContext
        {
            Messages =
            [
                new Dictionary<string, object?> { ["role"] = "user", ["content"] = new List<object?>
                {
                    new Dictionary<string, object?> { ["type"] = "text", ["text"] = "look" },
                    new Dictionary<string, object?> { ["type"] = "image" },
                } },
                new Dictionary<string, object?>
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new[] { new Dictionary<string, object?> { ["name"] = "f", ["arguments"] = new Dictionary<string, object?> { ["n"] = 1, ["x"] = 1.5 } } },
                },
            ],
            EosToken = "</s>",
            AddGenerationPrompt = true,
            Variables = new Dictionary<string, object?> { ["enable_thinking"] = false, ["messages"] = "overridden by Messages" },
        };

        var rendered = ChatTemplate.Parse(Probe).Render(context);

        Assert.Equal(
            "2|False|False|</s>|True|False|user:[text=look][image=];assistant:None calls=[{\"name\": \"f\", \"arguments\": {\"n\": 1, \"x\": 1.5}}];",
            rendered);
    }

    [Fact]
    public void Json_messages_and_tools_keep_int_float_and_key_order()
    {
        var messages = JsonNode.Parse("""[{"role": "user", "content": "hi", "meta": {"z": 1, "a": 1.0, "m": [true, null]}}]""")!.AsArray();
        var tools = JsonNode.Parse("""[{"type": "function", "function": {"name": "f", "parameters": {}}}]""")!.AsArray();
        var context = new ChatTemplateContext
        {
            Messages = ChatTemplateContext.FromJson(messages),
            Tools = ChatTemplateContext.FromJson(tools),
            BosToken = "<s>",
        };

        var rendered = ChatTemplate.Parse("{{ bos_token }}{{ messages[0].meta | tojson }} {{ messages[0].meta }} {{ tools[0].function.name }}").Render(context);

        Assert.Equal("<s>{\"z\": 1, \"a\": 1.0, \"m\": [true, null]} {'z': 1, 'a': 1.0, 'm': [True, None]} f", rendered);
    }

    [Fact]
    public void Rendering_does_not_modify_the_callers_data()
    {
        var list = new List<object?> { 1 };
        var template = ChatTemplate.Parse("{% do items.append(2) %}{{ items | length }}");
        var variables = new Dictionary<string, object?> { ["items"] = list };

        Assert.Equal("2", template.Render(variables));
        Assert.Equal("2", template.Render(variables));
        Assert.Single(list);
    }

    [Fact]
    public void One_parsed_template_renders_concurrently()
    {
        var template = ChatTemplate.Parse(
            "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + m.content | length %}{{ m.content }}{% endfor %}={{ ns.n }}");
        var results = new string[16];
        Parallel.For(0, results.Length, i =>
        {
            var messages = Enumerable.Range(0, 50)
                .Select(j => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["role"] = "user", ["content"] = new string('a', (i % 4) + 1) })
                .ToList();
            results[i] = template.Render(new ChatTemplateContext { Messages = messages });
        });

        for (var i = 0; i < results.Length; i++)
        {
            var width = (i % 4) + 1;
            Assert.Equal(new string('a', width * 50) + "=" + (width * 50), results[i]);
        }
    }

    [Fact]
    public void Strftime_now_uses_the_contexts_clock()
    {
        var context = new ChatTemplateContext { Messages = [], TimeProvider = ChatTemplateTestData.FrozenClock };
        Assert.Equal("15 Jan 2025 / 2025-01-15T12:00:00 / Wednesday", ChatTemplate.Parse("{{ strftime_now('%d %b %Y') }} / {{ strftime_now('%Y-%m-%dT%H:%M:%S') }} / {{ strftime_now('%A') }}").Render(context));
    }

    [Fact]
    public void Template_is_found_in_tokenizer_config_as_string_or_named_list()
    {
        Assert.Equal("A", ChatTemplate.FindInTokenizerConfig(JsonNode.Parse("""{"chat_template": "A"}""")!));
        var named = JsonNode.Parse("""{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}""")!;
        Assert.Equal("D", ChatTemplate.FindInTokenizerConfig(named));
        Assert.Equal("T", ChatTemplate.FindInTokenizerConfig(named, "tool_use"));
        Assert.Null(ChatTemplate.FindInTokenizerConfig(named, "rag"));
        Assert.Null(ChatTemplate.FindInTokenizerConfig(JsonNode.Parse("""{"bos_token": "<s>"}""")!));
    }
}
