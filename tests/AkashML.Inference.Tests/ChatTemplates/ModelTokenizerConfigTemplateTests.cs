using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>The chat templates shipped in shared/models/*/tokenizer_config.json.</summary>
public sealed class ModelTokenizerConfigTemplateTests
{
    private static IReadOnlyDictionary<string, object?> Message(string role, string content) =>
        new Dictionary<string, object?> { ["role"] = role, ["content"] = content };

    private static string? Token(JsonNode? node) => node switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonObject added => added["content"]?.GetValue<string>(),
        _ => null,
    };

    [NeedsSharedFact("models")]
    public void Every_shipped_template_parses_and_renders_a_conversation()
    {
        var rendered = 0;
        foreach (var configPath in Directory.GetFiles(SharedTestData.PathOf("models"), "tokenizer_config.json", SearchOption.AllDirectories))
        {
            var config = JsonNode.Parse(File.ReadAllText(configPath))!;
            if (ChatTemplate.FindInTokenizerConfig(config) is not { } source)
            {
                continue;
            }

            var output = ChatTemplate.Parse(source).Render(new ChatTemplateContext
            {
                Messages = [Message("user", "first question"), Message("assistant", "first answer"), Message("user", "second question")],
                AddGenerationPrompt = true,
                BosToken = Token(config["bos_token"]),
                EosToken = Token(config["eos_token"]),
            });
            Assert.Contains("first question", output, StringComparison.Ordinal);
            Assert.Contains("second question", output, StringComparison.Ordinal);
            rendered++;
        }

        Assert.True(rendered > 0, "no tokenizer_config.json under shared/models has a chat_template");
    }

    [NeedsSharedFact("models")]
    public void Tiny_llama_template_renders_llama2_chat_exactly()
    {
        var (template, bos, eos) = Load("tiny-random-LlamaForCausalLM-fp16");
        var output = template.Render(new ChatTemplateContext
        {
            Messages = [Message("system", "Be brief."), Message("user", " hi "), Message("assistant", "yo"), Message("user", "more")],
            AddGenerationPrompt = true,
            BosToken = bos,
            EosToken = eos,
        });

        // Python Jinja with transformers' settings renders exactly this.
        Assert.Equal("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n hi [/INST] yo </s><s>[INST] more [/INST]", output);
    }

    [NeedsSharedFact("models")]
    public void Tiny_llama_template_rejects_roles_that_do_not_alternate()
    {
        var (template, bos, eos) = Load("tiny-random-LlamaForCausalLM-fp16");
        var error = Assert.Throws<TemplateRaisedException>(() => template.Render(new ChatTemplateContext
        {
            Messages = [Message("user", "a"), Message("user", "b")],
            BosToken = bos,
            EosToken = eos,
        }));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }

    private static (ChatTemplate Template, string? Bos, string? Eos) Load(string model)
    {
        var path = Path.Combine(SharedTestData.PathOf("models"), model, "tokenizer_config.json");
        Assert.True(File.Exists(path), $"{path} is missing from shared/models");
        var config = JsonNode.Parse(File.ReadAllText(path))!;
        var source = ChatTemplate.FindInTokenizerConfig(config);
        Assert.NotNull(source);
        return (ChatTemplate.Parse(source), Token(config["bos_token"]), Token(config["eos_token"]));
    }
}
