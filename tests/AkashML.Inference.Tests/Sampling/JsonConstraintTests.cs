using System.Text;
using System.Text.Json;
using AkashML.Inference.Generation.Sampling;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Sampling;

public sealed class JsonConstraintTests
{
    private const int EndToken = 1;

    // A small vocabulary with single characters (so every valid prefix can be extended) and multi-character tokens
    // that cross structure boundaries, escapes, surrogates, control characters and non-ASCII text.
    private static readonly string?[] Vocabulary =
    [
        string.Empty, "<eos>", null,
        "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\n", "\t", "\r",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-", "+", ".", "e", "E",
        "t", "r", "u", "f", "a", "l", "s", "n", "b", "c", "d", "A", "B", "C", "D", "F", "x", "y", "/",
        "{\"", "\"}", "\":", "\",", "\":\"", "\": ", "true", "false", "null", "\\n", "\\\"", "\\u00e9",
        "\\ud83d", "\\ude00", "\\uD83D\\uDE00", "\\u", "12", ".5", "e-3", "-0", "}}", "]}", "\"}]", "hello",
        " world", "\"key\"", "\u0001", "é", "😀", "\"\"", "[]", "{}", ",\"", "\"a\":1}", "\uFFFD", "1,", "0]",
        " }", "\n  ", "{\"a\":[", "nul", "tr", "ue", "fal", "se", "\"x\":", "[{", "\t\"",
    ];

    private static readonly JsonVocabulary Indexed = new(Vocabulary, [EndToken]);

    [Fact]
    public void Random_generation_under_the_constraint_is_always_one_valid_json_object()
    {
        for (var seed = 0; seed < 60; seed++)
        {
            var (text, complete) = Generate(Vocabulary, seed, maxSteps: 400, new JsonConstraint(Indexed));

            Assert.True(complete, $"seed {seed}: object not closed within the step budget: {text}");
            AssertIsJsonObject(text, seed);
        }
    }

    [Fact]
    public void Mask_agrees_with_simulating_every_token_along_random_walks()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var random = new Random(seed);
            var constraint = new JsonConstraint(Vocabulary, [EndToken], maxDepth: 4, maxWhitespaceRun: 3);
            var prefix = new List<int>();
            for (var step = 0; step < 40 && !constraint.IsComplete; step++)
            {
                var logits = new float[Vocabulary.Length];
                constraint.Mask(logits);
                var masked = Enumerable.Range(0, Vocabulary.Length).Where(id => logits[id] == 0f).ToArray();
                var simulated = Enumerable.Range(0, Vocabulary.Length).Where(id => AdvanceSucceeds(prefix, id)).ToArray();

                Assert.Equal(simulated, masked);
                var next = masked[random.Next(masked.Length)];
                constraint.Advance(next);
                prefix.Add(next);
            }
        }
    }

    [Fact]
    public void Only_an_object_may_start_the_output()
    {
        var allowed = AllowedAfter();

        Assert.Contains("{", allowed);
        Assert.Contains("{\"", allowed);
        Assert.Contains("{}", allowed);
        Assert.Contains(" ", allowed);
        Assert.DoesNotContain("[", allowed);
        Assert.DoesNotContain("\"", allowed);
        Assert.DoesNotContain("true", allowed);
        Assert.DoesNotContain("1", allowed);
        Assert.DoesNotContain("<eos>", allowed);
        Assert.DoesNotContain(string.Empty, allowed);
    }

    [Fact]
    public void A_complete_object_allows_only_the_end_token_and_whitespace()
    {
        var constraint = new JsonConstraint(Vocabulary, [EndToken]);
        Advance(constraint, "{\"", "a", "\":", "[", "1,", "true", "]}");

        Assert.True(constraint.IsComplete);
        var allowed = Allowed(constraint);
        Assert.Contains("<eos>", allowed);
        Assert.Contains(" ", allowed);
        Assert.DoesNotContain("}", allowed);
        Assert.DoesNotContain(",", allowed);
        constraint.Advance(EndToken);
    }

    [Fact]
    public void Keys_must_be_strings_and_values_follow_a_colon()
    {
        AssertSame(["\"", "\"key\"", "\"\"", "\"a\":1}", "\"x\":", "\"}", "\"}]", "\":", "\",", "\":\"", "\": ", " ", "\n", "\t", "\r", "\n  ", "}", " }", "\t\""], AllowedAfter("{"));
        var afterKey = AllowedAfter("{", "\"key\"");
        Assert.Contains(":", afterKey);
        Assert.Contains("\": ", AllowedAfter("{\"", "a"));
        Assert.DoesNotContain(",", afterKey);
        Assert.DoesNotContain("}", afterKey);
    }

    [Fact]
    public void Escapes_are_checked_including_unicode_and_surrogate_pairs()
    {
        var afterBackslash = AllowedAfter("{\"", "\\");
        Assert.Contains("n", afterBackslash);
        Assert.Contains("u", afterBackslash);
        Assert.Contains("\"", afterBackslash);
        Assert.Contains("/", afterBackslash);
        Assert.DoesNotContain("x", afterBackslash);
        Assert.DoesNotContain("a", afterBackslash);

        var afterHigh = AllowedAfter("{\"", "\\ud83d");
        AssertSame(["\\", "\\ude00", "\\u"], afterHigh);

        var inString = AllowedAfter("{\"");
        Assert.DoesNotContain("\\ude00", inString);
        Assert.Contains("\\ud83d", inString);
        Assert.Contains("\\uD83D\\uDE00", inString);
        Assert.DoesNotContain("\u0001", inString);
        Assert.Contains("é", inString);
        Assert.Contains("😀", inString);
        Assert.Contains("\uFFFD", inString);
        Assert.Contains(" world", inString);
        Assert.DoesNotContain("<eos>", inString);

        var afterU = AllowedAfter("{\"", "\\u");
        Assert.Contains("D", afterU);
        Assert.Contains("0", afterU);
        Assert.DoesNotContain("x", afterU);
        Assert.DoesNotContain("C", AllowedAfter("{\"", "\\u", "D"));
        Assert.Contains("B", AllowedAfter("{\"", "\\u", "D"));
    }

    [Fact]
    public void Numbers_follow_the_json_grammar()
    {
        Assert.DoesNotContain("1", AllowedAfter("{\"", "a", "\":", "0"));
        Assert.Contains(".5", AllowedAfter("{\"", "a", "\":", "0"));
        Assert.Contains("e-3", AllowedAfter("{\"", "a", "\":", "12"));
        Assert.DoesNotContain("}", AllowedAfter("{\"", "a", "\":", "-"));
        Assert.DoesNotContain(".", AllowedAfter("{\"", "a", "\":", "1", ".5"));
        Assert.Contains("}", AllowedAfter("{\"", "a", "\":", "-0", ".5", "e-3"));
        Assert.DoesNotContain("}", AllowedAfter("{\"", "a", "\":", "1", "e"));
        Assert.Contains("1,", AllowedAfter("{\"", "a", "\":", "[", "1"));
        Assert.DoesNotContain("1,", AllowedAfter("{\"", "a", "\":", "{}"));
    }

    [Fact]
    public void Literals_must_be_spelt_out()
    {
        Assert.Contains("ue", AllowedAfter("{\"", "a", "\":", "tr"));
        Assert.DoesNotContain("se", AllowedAfter("{\"", "a", "\":", "tr"));
        Assert.Contains("l", AllowedAfter("{\"", "a", "\":", "nul"));
        Assert.DoesNotContain("}", AllowedAfter("{\"", "a", "\":", "nul"));
    }

    [Fact]
    public void Brackets_must_match()
    {
        var inArray = AllowedAfter("{\"", "a", "\":", "[", "1");
        Assert.Contains("]", inArray);
        Assert.Contains("]}", inArray);
        Assert.DoesNotContain("}", inArray);
        Assert.DoesNotContain("}}", inArray);
        Assert.DoesNotContain("]}", AllowedAfter("{\"", "a", "\":", "[", "[", "1"));
    }

    [Fact]
    public void Depth_and_whitespace_runs_are_limited()
    {
        var shallow = new JsonConstraint(Vocabulary, [EndToken], maxDepth: 2, maxWhitespaceRun: 3);
        Advance(shallow, "{\"", "a", "\":", "[");
        Assert.DoesNotContain("[", Allowed(shallow));
        Assert.DoesNotContain("{\"", Allowed(shallow));
        Assert.Contains("1", Allowed(shallow));

        var spaced = new JsonConstraint(Vocabulary, [EndToken], maxDepth: 2, maxWhitespaceRun: 3);
        Advance(spaced, "{", " ", " ");
        Assert.Contains(" ", Allowed(spaced));
        Assert.DoesNotContain("\n  ", Allowed(spaced));
        Advance(spaced, " ");
        Assert.DoesNotContain(" ", Allowed(spaced));
        Assert.Contains("\"", Allowed(spaced));
    }

    [Fact]
    public void Sequences_sharing_a_vocabulary_keep_their_own_state()
    {
        var first = new JsonConstraint(Indexed);
        var second = new JsonConstraint(Indexed);

        Advance(first, "{\"", "a", "\":", "1", "}");
        Advance(second, "{\"");

        Assert.True(first.IsComplete);
        Assert.False(second.IsComplete);
        Assert.Contains("a", Allowed(second));
        Assert.DoesNotContain("a", Allowed(first));
    }

    [Fact]
    public void Advancing_with_a_masked_token_is_a_clear_error()
    {
        var constraint = new JsonConstraint(Vocabulary, [EndToken]);

        Assert.Throws<InvalidOperationException>(() => constraint.Advance(Array.IndexOf(Vocabulary, "[")));
        Assert.Throws<InvalidOperationException>(() => constraint.Advance(EndToken));
        Assert.Throws<InvalidOperationException>(() => constraint.Advance(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Advance(Vocabulary.Length));
        Advance(constraint, "{");
        Assert.False(constraint.IsComplete);
    }

    [Fact]
    public void Logits_beyond_the_table_are_masked_and_short_logits_are_rejected()
    {
        var constraint = new JsonConstraint(Vocabulary, [EndToken]);
        var logits = new float[Vocabulary.Length + 5];

        constraint.Mask(logits);

        Assert.All(logits[Vocabulary.Length..], x => Assert.Equal(float.NegativeInfinity, x));
        Assert.Throws<ArgumentException>(() => constraint.Mask(new float[Vocabulary.Length - 1]));
        Assert.Throws<ArgumentException>(() => new JsonConstraint([], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonConstraint(Vocabulary, [Vocabulary.Length]));
    }

    [NeedsSharedFact("tokenizers/llama-2/tokenizer.json")]
    public void Random_generation_with_a_real_32k_vocabulary_is_valid_json()
    {
        var (texts, end) = SharedTokenizerVocabulary.Load("llama-2");
        var vocabulary = new JsonVocabulary(texts, [end]);
        for (var seed = 0; seed < 4; seed++)
        {
            var (text, complete) = Generate(texts, seed, maxSteps: 600, new JsonConstraint(vocabulary));

            Assert.True(complete, $"seed {seed}: object not closed within the step budget: {text}");
            AssertIsJsonObject(text, seed);
        }
    }

    /// <summary>
    /// Samples with random logits through <see cref="TokenSelector"/>; after 60 steps, tokens that close strings
    /// and containers get a growing bonus so the object ends within the budget.
    /// </summary>
    private static (string Text, bool Complete) Generate(IReadOnlyList<string?> vocabulary, int seed, int maxSteps, JsonConstraint constraint)
    {
        var closers = Enumerable.Range(0, vocabulary.Count)
            .Where(id => vocabulary[id] is { } t && t.AsSpan().IndexOfAny("\"}]") >= 0)
            .ToArray();
        var selector = new TokenSelector(new SamplingOptions { Seed = seed }, vocabulary.Count, constraint);
        var text = new StringBuilder();
        var random = new Random(seed);
        var logits = new float[vocabulary.Count];
        for (var step = 0; step < maxSteps && !constraint.IsComplete; step++)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)(random.NextDouble() * 4);
            }

            var bonus = Math.Max(0, step - 60) * 0.1f;
            foreach (var id in closers)
            {
                logits[id] += bonus;
            }

            var choice = selector.Select(logits);
            text.Append(vocabulary[choice.TokenId]);
            selector.Observe(choice.TokenId, isPrompt: false);
        }

        return (text.ToString(), constraint.IsComplete);
    }

    private static void AssertIsJsonObject(string text, int seed)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            ReadEveryString(document.RootElement);
        }
        catch (JsonException error)
        {
            Assert.Fail($"seed {seed}: not valid JSON ({error.Message}): {text}");
        }
    }

    // Reading strings decodes their escapes, which fails on an unpaired surrogate.
    private static void ReadEveryString(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Assert.NotNull(property.Name);
                    ReadEveryString(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    ReadEveryString(item);
                }

                break;
            case JsonValueKind.String:
                Assert.NotNull(element.GetString());
                break;
            default:
                break;
        }
    }

    private static bool AdvanceSucceeds(List<int> prefix, int tokenId)
    {
        var replay = new JsonConstraint(Vocabulary, [EndToken], maxDepth: 4, maxWhitespaceRun: 3);
        foreach (var id in prefix)
        {
            replay.Advance(id);
        }

        try
        {
            replay.Advance(tokenId);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void AssertSame(string[] expected, HashSet<string?> actual) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));

    private static HashSet<string?> AllowedAfter(params string[] prefix)
    {
        var constraint = new JsonConstraint(Vocabulary, [EndToken]);
        Advance(constraint, prefix);
        return Allowed(constraint);
    }

    private static HashSet<string?> Allowed(JsonConstraint constraint)
    {
        var logits = new float[Vocabulary.Length];
        constraint.Mask(logits);
        return [.. Enumerable.Range(0, Vocabulary.Length).Where(id => logits[id] == 0f).Select(id => Vocabulary[id])];
    }

    private static void Advance(JsonConstraint constraint, params string[] tokens)
    {
        foreach (var token in tokens)
        {
            constraint.Advance(Array.IndexOf(Vocabulary, token));
        }
    }
}
