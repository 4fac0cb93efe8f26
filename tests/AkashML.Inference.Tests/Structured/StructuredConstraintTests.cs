using System.Text;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Generation.Structured;

namespace AkashML.Inference.Tests.Structured;

public sealed class StructuredConstraintTests
{
    private const int EndToken = 1;

    // Every printable ASCII character alone (so any valid prefix can be extended one character at a time), plus
    // tokens that cross structure boundaries, whitespace, non-ASCII text and a lone U+FFFD (part of a character).
    private static readonly string?[] Vocabulary =
    [
        string.Empty, "<eos>", null,
        .. Enumerable.Range(0x20, 0x5F).Select(c => ((char)c).ToString()),
        "\n", "\t", "{\"", "\"}", "\":", "\",", "\":\"", "true", "false", "null", "12", ".5", "-0", "}}", "]}", "[]", "{}",
        "\\n", "\\\"", "\\u00e9", "hello", " world", "é", "\uFFFD", "\"id\":", "\"name\":\"", ",\"", "2024-", "-12-", "T12:", "00Z\"",
        "<tool_call>", "{\"name\":\"", "\",\"arguments\":{", "}}</tool_call>", "</tool_call>", "<tool", "_call>", "Sure, ",
    ];

    private static readonly JsonVocabulary Indexed = new(Vocabulary, [EndToken]);

    [Fact]
    public void Fifty_random_schemas_always_generate_valid_documents_under_random_logits()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var schema = RandomSchemas.Create(seed, strict: seed % 2 == 0);
            var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "schema");
            var (text, complete, _) = Generate(grammar, budget: 400, seed);

            Assert.True(complete, $"seed {seed}: not complete: {text}");
            Assert.Null(SchemaValidation.Problem(schema.ToJsonString(), text) is { } problem ? $"seed {seed}: {problem}\n{schema}\n{text}" : null);
        }
    }

    [Fact]
    public void A_schema_as_the_openai_sdk_sends_it_for_a_pydantic_model_generates_valid_documents()
    {
        // What openai-python's to_strict_json_schema makes of: class Step(BaseModel): explanation: str; output: str;
        // class Math(BaseModel): steps: list[Step]; final_answer: str; unit: Literal["m", "s"] | None; kind: Color
        var schema = Schema("""
            {"$defs":{"Color":{"enum":["red","green"],"title":"Color","type":"string"},
                      "Step":{"additionalProperties":false,"properties":{"explanation":{"title":"Explanation","type":"string"},"output":{"title":"Output","type":"string"}},
                              "required":["explanation","output"],"title":"Step","type":"object"}},
             "additionalProperties":false,
             "properties":{"steps":{"items":{"$ref":"#/$defs/Step"},"title":"Steps","type":"array"},"final_answer":{"title":"Final Answer","type":"string"},
                           "unit":{"anyOf":[{"enum":["m","s"],"type":"string"},{"type":"null"}],"title":"Unit"},"kind":{"$ref":"#/$defs/Color"}},
             "required":["steps","final_answer","unit","kind"],"title":"Math","type":"object"}
            """);
        var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "schema");
        for (var seed = 0; seed < 10; seed++)
        {
            var (text, complete, _) = Generate(grammar, budget: 200, seed);

            Assert.True(complete);
            Assert.Null(SchemaValidation.Problem(schema.ToJsonString(), text));
        }
    }

    [Fact]
    public void A_budget_just_above_the_shortest_document_still_closes_it_and_reports_it_cut_short()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var schema = RandomSchemas.Create(seed + 100, strict: true);
            var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "schema");
            var budget = grammar.MinLength + (seed % 4);
            var (text, complete, tokens) = Generate(grammar, budget, seed);

            Assert.True(complete, $"seed {seed}: not complete within {budget}: {text}");
            Assert.True(tokens <= budget, $"seed {seed}: {tokens} tokens for a budget of {budget}");
            Assert.Null(SchemaValidation.Problem(schema.ToJsonString(), text));
        }
    }

    [Fact]
    public void The_budget_pressure_is_reported_as_cut_short_and_a_roomy_budget_is_not()
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(Schema("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"""), "schema");
        var tight = new StructuredConstraint(new GrammarMasks(grammar, Indexed), grammar.MinLength + 3);
        var (text, _, _) = Run(tight, seed: 3, preferred: "hello");

        Assert.True(tight.IsComplete);
        Assert.True(tight.CutShort);
        Assert.Equal("{\"a\":\"", text[..6]);

        var roomy = new StructuredConstraint(new GrammarMasks(grammar, Indexed), 100);
        foreach (var token in new[] { "{\"", "a", "\":\"", "hello", "\"}" })
        {
            var logits = new float[Vocabulary.Length];
            roomy.Mask(logits);
            Assert.Equal(0f, logits[Array.IndexOf(Vocabulary, token)]);
            roomy.Advance(Array.IndexOf(Vocabulary, token));
        }

        Assert.True(roomy.IsComplete);
        Assert.False(roomy.CutShort);
    }

    [Fact]
    public void A_budget_below_the_shortest_document_is_refused_up_front()
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(Schema("""{"type":"object","properties":{"name":{"type":"string","minLength":3}},"required":["name"]}"""), "schema");

        Assert.Equal("{\"name\":\"aaa\"}".Length, grammar.MinLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StructuredConstraint(new GrammarMasks(grammar, Indexed), grammar.MinLength - 1));
        _ = new StructuredConstraint(new GrammarMasks(grammar, Indexed), grammar.MinLength);
    }

    [Fact]
    public void Mask_agrees_with_advancing_every_token_along_random_walks()
    {
        var schema = Schema("""
            {"type":"object","properties":{"n":{"type":"number"},"s":{"type":"string","maxLength":4},"e":{"enum":["x","xy",1]},
             "l":{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3},"o":{"anyOf":[{"type":"null"},{"type":"boolean"}]}},
             "required":["n","l"]}
            """);
        var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "schema");
        var masks = new GrammarMasks(grammar, Indexed);
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var constraint = new StructuredConstraint(masks, 1000);
            var prefix = new List<int>();
            while (!constraint.IsComplete)
            {
                var logits = new float[Vocabulary.Length];
                constraint.Mask(logits);
                var masked = Enumerable.Range(0, Vocabulary.Length).Where(id => logits[id] == 0f).ToArray();
                var simulated = Enumerable.Range(0, Vocabulary.Length).Where(id => Replays(masks, prefix, id)).ToArray();

                Assert.Equal(simulated, masked);
                var next = masked[random.Next(masked.Length)];
                constraint.Advance(next);
                prefix.Add(next);
            }
        }
    }

    [Fact]
    public void Seeded_sampling_gives_the_same_document_twice_and_another_seed_another()
    {
        var schema = RandomSchemas.Create(7, strict: true);
        var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "schema");

        var first = Generate(grammar, 300, seed: 11);
        var second = Generate(grammar, 300, seed: 11);
        var other = Generate(grammar, 300, seed: 12);

        Assert.Equal(first.Text, second.Text);
        Assert.NotEqual(first.Text, other.Text);
    }

    [Fact]
    public void Logit_bias_that_bans_every_valid_token_does_not_break_the_document()
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(Schema("""{"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"]}"""), "schema");
        var bias = new Dictionary<int, float> { [Array.IndexOf(Vocabulary, "{")] = -100f, [Array.IndexOf(Vocabulary, "{\"")] = -100f };
        var constraint = new StructuredConstraint(new GrammarMasks(grammar, Indexed), 50);
        var selector = new TokenSelector(new SamplingOptions { Seed = 1, LogitBias = bias }, Vocabulary.Length, constraint);
        var text = new StringBuilder();
        while (!constraint.IsComplete)
        {
            var id = selector.Select(new float[Vocabulary.Length]).TokenId;
            selector.Observe(id, isPrompt: false);
            text.Append(Vocabulary[id]);
        }

        Assert.Matches("""^\{"a":(true|false)\}$""", text.ToString());
    }

    [Fact]
    public void Tool_calls_in_auto_mode_let_prose_through_and_constrain_the_arguments()
    {
        var tools = (JsonArray)JsonNode.Parse("""
            [{"type":"function","function":{"name":"get_weather","strict":true,
              "parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"],"additionalProperties":false}}}]
            """)!;
        var grammar = ToolCallGrammar.Build(tools, "auto")!;
        var constraint = new StructuredConstraint(new GrammarMasks(grammar, Indexed), 200);
        Feed(constraint, "Sure, hello<tool_call>{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\",\"days\":3}}</tool_call> world");
        Assert.True(constraint.CanEnd);
        Assert.False(constraint.IsComplete);

        var wrongArguments = new StructuredConstraint(new GrammarMasks(grammar, Indexed), 200);
        Assert.Throws<InvalidOperationException>(() => Feed(wrongArguments, "<tool_call>{\"name\":\"get_weather\",\"arguments\":{\"days\":"));

        var forced = ToolCallGrammar.Build(tools, "required")!;
        for (var seed = 0; seed < 10; seed++)
        {
            var (text, complete, _) = Generate(forced, 120, seed);
            Assert.True(complete);
            Assert.StartsWith("<tool_call>{\"name\":\"get_weather\",\"arguments\":", text, StringComparison.Ordinal);
            var arguments = JsonNode.Parse(text["<tool_call>".Length..^"</tool_call>".Length])!["arguments"]!;
            Assert.Null(SchemaValidation.Problem(tools[0]!["function"]!["parameters"]!.ToJsonString(), arguments.ToJsonString()));
        }

        Assert.Null(ToolCallGrammar.Build((JsonArray)JsonNode.Parse("""[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]""")!, "auto"));
    }

    [Fact]
    public void A_vocabulary_without_a_needed_single_character_token_is_refused()
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(Schema("""{"type":"object","properties":{"k":{"const":"€"}},"required":["k"]}"""), "response_format.json_schema.schema");

        var ex = Assert.Throws<SchemaNotSupportedException>(() => new GrammarMasks(grammar, Indexed));
        Assert.Contains("'€'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cached_masks_are_shared_between_sequences_of_one_grammar()
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(RandomSchemas.Create(3, strict: true), "schema");
        var masks = new GrammarMasks(grammar, Indexed);
        Run(new StructuredConstraint(masks, 200), seed: 1, preferred: null);
        var states = masks.CachedStates;
        Run(new StructuredConstraint(masks, 200), seed: 1, preferred: null);

        Assert.True(states > 0);
        Assert.Equal(states, masks.CachedStates);
    }

    internal static JsonObject Schema(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static (string Text, bool Complete, int Tokens) Generate(StructuredGrammar grammar, int budget, int seed) =>
        Run(new StructuredConstraint(new GrammarMasks(grammar, Indexed), budget), seed, preferred: null, budget);

    /// <summary>Random logits through a seeded <see cref="TokenSelector"/>; <paramref name="preferred"/> gets a large logit.</summary>
    private static (string Text, bool Complete, int Tokens) Run(StructuredConstraint constraint, int seed, string? preferred, int budget = 1000)
    {
        var random = new Random(seed);
        var selector = new TokenSelector(new SamplingOptions { Seed = seed }, Vocabulary.Length, constraint);
        var text = new StringBuilder();
        var tokens = 0;
        while (!constraint.IsComplete && tokens < budget)
        {
            var logits = new float[Vocabulary.Length];
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)(random.NextDouble() * 4);
            }

            if (preferred is not null)
            {
                logits[Array.IndexOf(Vocabulary, preferred)] = 50f;
            }

            var id = selector.Select(logits).TokenId;
            selector.Observe(id, isPrompt: false);
            tokens++;
            if (id != EndToken)
            {
                text.Append(Vocabulary[id]);
            }
        }

        return (text.ToString(), constraint.IsComplete, tokens);
    }

    private static void Feed(StructuredConstraint constraint, string text)
    {
        // Single characters are enough to spell anything in this vocabulary.
        foreach (var c in text)
        {
            constraint.Advance(Array.IndexOf(Vocabulary, c.ToString()));
        }
    }

    private static bool Replays(GrammarMasks masks, List<int> prefix, int next)
    {
        var constraint = new StructuredConstraint(masks, 1000);
        try
        {
            foreach (var id in prefix)
            {
                constraint.Advance(id);
            }

            constraint.Advance(next);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
