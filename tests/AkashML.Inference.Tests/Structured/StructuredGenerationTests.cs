using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Serving;
using AkashML.Inference.Tests.Sampling;
using AkashML.Inference.Tests.Serving;
using AkashML.Tests.SharedFolder;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace AkashML.Inference.Tests.Structured;

/// <summary>The grammar on the built-in random-weights model and its real byte-level vocabulary.</summary>
public sealed class StructuredGenerationTests(TinyModelFixture fixture, ITestOutputHelper output) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public async Task Every_choice_of_a_request_is_a_valid_document_with_an_honest_finish_reason()
    {
        for (var seed = 0; seed < 4; seed++)
        {
            var schema = RandomSchemas.Create(seed + 200, strict: true);
            var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "schema");
            var request = new GenerationRequest
            {
                PromptTokens = fixture.Model.EncodePrompt("JSON, please", isRenderedChat: false),
                MaxNewTokens = grammar.MinLength + 40,
                Grammar = grammar,
                N = 3,
                Seed = seed,
            };
            fixture.Model.EnsureSupported(request);
            var texts = new Dictionary<int, StringBuilder>();
            var finishes = new Dictionary<int, FinishReason>();
            await foreach (var update in fixture.Model.GenerateAsync(request, CancellationToken.None))
            {
                (texts.TryGetValue(update.ChoiceIndex, out var text) ? text : texts[update.ChoiceIndex] = new StringBuilder()).Append(update.Text);
                if (update.FinishReason is { } finish)
                {
                    finishes[update.ChoiceIndex] = finish;
                }
            }

            Assert.Equal(3, finishes.Count);
            foreach (var (index, text) in texts)
            {
                Assert.True(SchemaValidation.Problem(schema.ToJsonString(), text.ToString()) is null, $"seed {seed} choice {index}: {text}");
                Assert.Contains(finishes[index], new[] { FinishReason.Stop, FinishReason.Length });
            }
        }
    }

    [Fact]
    public async Task The_chat_client_honours_a_json_schema_response_format()
    {
        const string schema = """{"type":"object","properties":{"city":{"type":"string","maxLength":12},"population":{"type":"integer"}},"required":["city","population"],"additionalProperties":false}""";
        using IChatClient client = new TextModelChatClient(fixture.Model);
        var options = new ChatOptions { MaxOutputTokens = 60, Seed = 4, ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(schema).RootElement, "city") };

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "A city as JSON")], options);

        Assert.Null(SchemaValidation.Problem(schema, response.Text));
        options.MaxOutputTokens = 5;
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "A city as JSON")], options));
    }

    /// <summary>A real 32k SentencePiece vocabulary (byte fallback, ▁ words): valid documents, and the cost reported.</summary>
    [NeedsSharedFact("tokenizers/llama-2/tokenizer.json")]
    public void A_real_32k_vocabulary_generates_valid_documents()
    {
        var (texts, end) = SharedTokenizerVocabulary.Load("llama-2");
        var vocabulary = new JsonVocabulary(texts, [end]);
        for (var seed = 0; seed < 4; seed++)
        {
            var schema = RandomSchemas.Create(seed + 300, strict: true);
            var masks = new GrammarMasks(JsonSchemaCompiler.CompileResponseFormat(schema, "schema"), vocabulary);
            var constraint = new StructuredConstraint(masks, 300);
            var selector = new TokenSelector(new SamplingOptions { Seed = seed }, texts.Length, constraint);
            var random = new Random(seed);
            var logits = new float[texts.Length];
            var text = new StringBuilder();
            var clock = Stopwatch.StartNew();
            var tokens = 0;
            while (!constraint.IsComplete)
            {
                for (var i = 0; i < logits.Length; i++)
                {
                    logits[i] = (float)random.NextDouble();
                }

                var id = selector.Select(logits).TokenId;
                selector.Observe(id, isPrompt: false);
                text.Append(texts[id]);
                tokens++;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: {tokens} tokens, {clock.Elapsed.TotalMilliseconds / tokens:F3} ms per token with a cold cache, {masks.CachedStates} states"));
            Assert.True(SchemaValidation.Problem(schema.ToJsonString(), text.ToString()) is null, $"seed {seed}: {text}");
        }
    }

    /// <summary>Reports (no assertion on time) what masking costs per token, first with an empty cache, then warm.</summary>
    [Fact]
    public void Reports_the_cost_per_token_cold_and_warm()
    {
        var masks = fixture.Model.MasksFor(JsonSchemaCompiler.CompileResponseFormat(RandomSchemas.Create(6, strict: true), "schema"));
        var vocabularySize = masks.Vocabulary.TokenCount;
        foreach (var pass in new[] { "cold", "warm" })
        {
            var constraint = new StructuredConstraint(masks, 300);
            var selector = new TokenSelector(new SamplingOptions { Seed = 9 }, vocabularySize, constraint);
            var random = new Random(9);
            var logits = new float[vocabularySize];
            var clock = Stopwatch.StartNew();
            var tokens = 0;
            while (!constraint.IsComplete && tokens < 300)
            {
                for (var i = 0; i < logits.Length; i++)
                {
                    logits[i] = (float)random.NextDouble();
                }

                var id = selector.Select(logits).TokenId;
                selector.Observe(id, isPrompt: false);
                tokens++;
            }

            clock.Stop();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pass}: {tokens} tokens, {clock.Elapsed.TotalMilliseconds / tokens:F3} ms per token (mask + selection + advance over {vocabularySize} tokens), {masks.CachedStates} states cached"));
            Assert.True(constraint.IsComplete);
        }
    }
}
