using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

public sealed class PlainChatFormatTests
{
    [Fact]
    public void Writes_role_blocks_and_an_open_assistant_block()
    {
        var prompt = PlainChatFormat.Instance.Render(new ChatTemplateContext
        {
            Messages =
            [
                new Dictionary<string, object?> { ["role"] = "system", ["content"] = "You are terse." },
                new Dictionary<string, object?> { ["role"] = "user", ["content"] = "Hi" },
                new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "Hello." },
                new Dictionary<string, object?> { ["role"] = "user", ["content"] = "Bye" },
            ],
            AddGenerationPrompt = true,
            BosToken = "<s>",
        });

        Assert.Equal("<|system|>\nYou are terse.\n<|user|>\nHi\n<|assistant|>\nHello.\n<|user|>\nBye\n<|assistant|>\n", prompt);
    }

    [Fact]
    public void Writes_tools_content_parts_tool_calls_and_results()
    {
        var prompt = PlainChatFormat.Instance.Render(new ChatTemplateContext
        {
            Tools = [new Dictionary<string, object?> { ["type"] = "function", ["function"] = new Dictionary<string, object?> { ["name"] = "add" } }],
            Messages =
            [
                new Dictionary<string, object?>
                {
                    ["role"] = "user",
                    ["content"] = new List<object?>
                    {
                        new Dictionary<string, object?> { ["type"] = "text", ["text"] = "Add" },
                        new Dictionary<string, object?> { ["type"] = "image_url", ["image_url"] = "http://x" },
                        new Dictionary<string, object?> { ["type"] = "text", ["text"] = "2 and 3" },
                    },
                },
                new Dictionary<string, object?>
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new List<object?>
                    {
                        new Dictionary<string, object?> { ["id"] = "c1", ["type"] = "function", ["function"] = new Dictionary<string, object?> { ["name"] = "add", ["arguments"] = "{\"a\": 2, \"b\": 3}" } },
                    },
                },
                new Dictionary<string, object?> { ["role"] = "tool", ["tool_call_id"] = "c1", ["content"] = "5" },
            ],
            AddGenerationPrompt = false,
        });

        Assert.Equal(
            "<|tools|>\n{\"type\": \"function\", \"function\": {\"name\": \"add\"}}\n" +
            "<|user|>\nAdd\n2 and 3\n" +
            "<|assistant|>\n\n<|tool_call|>{\"name\": \"add\", \"arguments\": \"{\\\"a\\\": 2, \\\"b\\\": 3}\"}\n" +
            "<|tool|>\n5\n",
            prompt);
    }

    [Fact]
    public void A_message_without_a_role_is_rejected()
    {
        var error = Assert.Throws<TemplateRuntimeException>(() => PlainChatFormat.Instance.Render(new ChatTemplateContext
        {
            Messages = [new Dictionary<string, object?> { ["content"] = "orphan" }],
        }));
        Assert.Contains("role", error.Message, StringComparison.Ordinal);
    }
}
