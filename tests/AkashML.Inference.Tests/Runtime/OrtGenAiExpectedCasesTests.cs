using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Runtime;

/// <summary>
/// Reproduces every case of shared/models/ortgenai_expected.json (ONNX Runtime GenAI's own test expectations for its
/// test models): one theory row per case, driven by the JSON.
/// </summary>
public sealed class OrtGenAiExpectedCasesTests
{
    private const string ExpectedFile = "models/ortgenai_expected.json";

    private static readonly Lazy<JsonObject> Expected =
        new(() => JsonNode.Parse(File.ReadAllText(SharedTestData.PathOf(ExpectedFile)))!.AsObject());

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var item in Expected.Value["cases"]!.AsArray())
        {
            data.Add(item!["id"]!.GetValue<string>());
        }

        return data;
    }

    [NeedsSharedFact(ExpectedFile)]
    public void All_twenty_cases_are_listed()
    {
        Assert.Equal(20, CaseIds().Count);
    }

    [NeedsSharedTheory(ExpectedFile)]
    [MemberData(nameof(CaseIds))]
    public void Case_is_reproduced(string id)
    {
        var testCase = Expected.Value["cases"]!.AsArray().Single(c => c!["id"]!.GetValue<string>() == id)!.AsObject();
        var kind = testCase["kind"]!.GetValue<string>();
        switch (kind)
        {
            case "generate":
                RunGenerate(testCase);
                break;
            case "steps":
                RunSteps(testCase);
                break;
            case "logits":
                RunLogits(testCase);
                break;
            case "errors":
                RunErrors(testCase);
                break;
            case "sampler":
                RunSampler(testCase);
                break;
            case "sampler_property" when id == "sampler-distribution-property":
                RunDistribution(testCase);
                break;
            case "sampler_property":
                RunSamplerProperty(testCase);
                break;
            case "validation":
                RunValidation(testCase);
                break;
            default:
                Assert.Fail($"Unknown case kind '{kind}'.");
                break;
        }
    }

    private static void RunGenerate(JsonObject testCase)
    {
        using var model = LoadModel(testCase);
        using var generator = new Generator(model, Params(model, testCase["search"]!.AsObject()));
        var input = Rows(testCase["input_ids"]!);
        generator.AppendTokens(Flatten(input));
        Assert.Equal(input[0].Length, generator.SequenceLength);
        GenerateUntilDone(generator);

        var expected = Rows(testCase["expected_sequences"]!);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], generator.GetSequence(i).ToArray());
        }

        if (generator.Parameters.NumBeams == 1)
        {
            Assert.Equal(expected[0].Length, generator.SequenceLength);
        }
    }

    private static void RunSteps(JsonObject testCase)
    {
        using var model = LoadModel(testCase);
        using var generator = new Generator(model, Params(model, testCase["search"]!.AsObject()));
        int[][]? first = null;
        foreach (var step in testCase["steps"]!.AsArray())
        {
            var op = step!["op"]!.GetValue<string>();
            switch (op)
            {
                case "append_tokens":
                    generator.AppendTokens(Flatten(Rows(step["tokens"]!)));
                    break;
                case "generate_until_done":
                    GenerateUntilDone(generator);
                    break;
                case "rewind_to":
                    generator.RewindTo(step["length"]!.GetValue<int>());
                    break;
                case "expect_sequences":
                    var expected = Rows(step["sequences"]!);
                    first ??= expected;
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.Equal(expected[i], generator.GetSequence(i).ToArray());
                    }

                    break;
                case "expect_same_as_first":
                    Assert.NotNull(first);
                    for (var i = 0; i < first.Length; i++)
                    {
                        Assert.Equal(first[i], generator.GetSequence(i).ToArray());
                    }

                    break;
                case "expect_length":
                    Assert.Equal(step["length"]!.GetValue<int>(), generator.SequenceLength);
                    break;
                case "expect_prefix":
                    var prefixes = Rows(step["sequences"]!);
                    for (var i = 0; i < prefixes.Length; i++)
                    {
                        Assert.Equal(prefixes[i], generator.GetSequence(i)[..prefixes[i].Length].ToArray());
                    }

                    break;
                default:
                    Assert.Fail($"Unknown step '{op}'.");
                    break;
            }
        }
    }

    private static void RunLogits(JsonObject testCase)
    {
        using var model = LoadModel(testCase);
        var tolerance = testCase["tolerance"]!.GetValue<double>();
        var checks = testCase["checks"]!.AsArray();
        using var generator = new Generator(model, Params(model, testCase["search"]!.AsObject()));
        generator.AppendTokens(Flatten(Rows(testCase["input_ids"]!)));

        // 0: the raw logits output of the prompt run.
        var raw = generator.GetOutput("logits", out var shape);
        Assert.Equal(3, shape.Length);
        AssertStrided(checks[0]!.AsObject(), raw, model.VocabSize, tolerance);

        // 1: last-token logits after the prompt.
        AssertStrided(checks[1]!.AsObject(), generator.GetLogits().ToArray(), model.VocabSize, tolerance);

        // 2: logits of the first decode run; GetOutput after a second GenerateNextToken shows the same run.
        generator.GenerateNextToken();
        var firstDecode = generator.GetLogits().ToArray();
        AssertStrided(checks[2]!.AsObject(), firstDecode, model.VocabSize, tolerance);
        generator.GenerateNextToken();
        var rawAfterTwo = generator.GetOutput("logits", out _);
        Assert.Equal(firstDecode, rawAfterTwo);

        // 3 (Llama only) is marked unreliable: the pull request's numbers match nothing the model produces.
        foreach (var check in checks.Skip(3))
        {
            Assert.True(check!["unreliable"]?.GetValue<bool>() ?? false, "Only unreliable checks may be left out.");
        }
    }

    private static void RunErrors(JsonObject testCase)
    {
        using var model = LoadModel(testCase);
        foreach (var check in testCase["checks"]!.AsArray())
        {
            using var generator = new Generator(model, Params(model, check!["search"]!.AsObject()));
            foreach (var step in check["steps"]!.AsArray())
            {
                var tokens = Flatten(Rows(step!["tokens"]!));
                var expectation = step["expect"]!.GetValue<string>();
                if (expectation == "ok")
                {
                    generator.AppendTokens(tokens);
                }
                else
                {
                    var error = Assert.Throws<ContextLengthExceededException>(() => generator.AppendTokens(tokens));
                    Assert.Contains("max_length 7", error.Message, StringComparison.Ordinal);
                }
            }
        }
    }

    private static void RunSampler(JsonObject testCase)
    {
        using var model = LoadModel(testCase);
        using var generator = new Generator(model, Params(model, testCase["search"]!.AsObject()));
        generator.SetLogits(Flatten(FloatRows(testCase["injected_logits"]!)));
        generator.GenerateNextToken();
        var expected = testCase["expected_next_tokens"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
        for (var b = 0; b < expected.Length; b++)
        {
            Assert.Equal(expected[b], generator.GetSequence(b)[^1]);
        }
    }

    private static void RunSamplerProperty(JsonObject testCase)
    {
        using var model = LoadModel(testCase);
        var logits = FloatRows(testCase["injected_logits"]!);
        foreach (var variant in testCase["variants"]!.AsArray())
        {
            var search = testCase["search"]!.DeepClone().AsObject();
            foreach (var (key, value) in variant!["search_extra"]!.AsObject())
            {
                search[key] = value!.DeepClone();
            }

            for (var seed = 0; seed < 50; seed++)
            {
                search["random_seed"] = seed;
                using var generator = new Generator(model, Params(model, search));
                generator.SetLogits(Flatten(logits));
                generator.GenerateNextToken();
                for (var b = 0; b < logits.Length; b++)
                {
                    var token = generator.GetSequence(b)[^1];
                    Assert.True(logits[b][token] > 1.25f, $"row {b} drew token {token} (logit {logits[b][token]}) with seed {seed}");
                }
            }
        }
    }

    private static void RunDistribution(JsonObject testCase)
    {
        foreach (var variant in testCase["variants"]!.AsArray())
        {
            var vocab = variant!["vocab_size"]!.GetValue<int>();
            var topK = variant["top_k"]!.GetValue<int>();
            var topP = variant["top_p"]!.GetValue<float>();
            var temperature = variant["temperature"]!.GetValue<float>();
            var options = new ModelOptions { ConfigOverlay = "{\"model\":{\"vocab_size\":" + vocab.ToString(CultureInfo.InvariantCulture) + ",\"eos_token_id\":0}}" };
            using var model = Model.Load(SharedTestData.PathOf("models/" + testCase["model"]!.GetValue<string>()), options);

            // Logits k, k-1, ..., 1 on shuffled ids, the rest 0.
            var k = topK > 0 ? topK : vocab / 2;
            var shuffle = new Random(7);
            var ids = Enumerable.Range(0, vocab).OrderBy(_ => shuffle.Next()).ToArray();
            var row = new float[vocab];
            for (var i = 0; i < k; i++)
            {
                row[ids[i]] = k - i;
            }

            var expected = ExpectedDistribution(row, topK, topP, temperature);
            const int Batch = 5;
            const int Iterations = 1000;
            var counts = new int[vocab];
            var batchLogits = Enumerable.Repeat(row, Batch).SelectMany(r => r).ToArray();
            for (var iteration = 0; iteration < Iterations; iteration++)
            {
                var parameters = new GeneratorParams(model)
                {
                    BatchSize = Batch,
                    MaxLength = 10,
                    DoSample = true,
                    TopK = topK,
                    TopP = topP,
                    Temperature = temperature,
                    RandomSeed = iteration,
                };
                using var generator = new Generator(model, parameters);
                generator.SetLogits(batchLogits);
                generator.GenerateNextToken();
                for (var b = 0; b < Batch; b++)
                {
                    counts[generator.GetSequence(b)[^1]]++;
                }
            }

            for (var token = 0; token < vocab; token++)
            {
                var observed = counts[token] / (double)(Batch * Iterations);
                if (expected[token] == 0)
                {
                    Assert.Equal(0, counts[token]);
                }
                else
                {
                    Assert.True(Math.Abs(observed - expected[token]) < 0.015, $"token {token}: observed {observed:F4}, expected {expected[token]:F4} (top_k {topK}, top_p {topP})");
                }
            }
        }

        // TopPFlatDistributionCpu: 500 equal logits, top_k 0, top_p 0.95: every token of the nucleus is drawn.
        var flat = new TopKTopPSampler(0, 0.95f, 1f, seed: 42);
        var logits = new float[500];
        var drawn = new HashSet<int>();
        for (var i = 0; i < 5000; i++)
        {
            drawn.Add(flat.SelectToken(logits, []));
        }

        // The nucleus is the shortest prefix whose (float) cumulative probability reaches 0.95.
        var nucleus = 0;
        for (var cumulative = 0f; cumulative < 0.95f; nucleus++)
        {
            cumulative += 1f / 500;
        }

        Assert.InRange(nucleus, 475, 476);
        Assert.Equal(nucleus, drawn.Count);
    }

    private static double[] ExpectedDistribution(float[] logits, int topK, float topP, float temperature)
    {
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
        var kept = topK > 0 ? order.Take(topK).ToArray() : order;
        var weights = kept.Select(i => Math.Exp(logits[i] / temperature)).ToArray();
        var sum = weights.Sum();
        var cumulative = 0.0;
        var cutoff = kept.Length;
        for (var i = 0; i < kept.Length; i++)
        {
            cumulative += weights[i] / sum;
            if (cumulative >= topP)
            {
                cutoff = i + 1;
                break;
            }
        }

        var result = new double[logits.Length];
        var keptSum = weights.Take(cutoff).Sum();
        for (var i = 0; i < cutoff; i++)
        {
            result[kept[i]] = weights[i] / keptSum;
        }

        return result;
    }

    private static void RunValidation(JsonObject testCase)
    {
        foreach (var rule in testCase["rules"]!.AsArray())
        {
            var overlay = rule!["config_overlay"]?.ToJsonString();
            using var model = Model.Load(SharedTestData.PathOf("models/" + testCase["model"]!.GetValue<string>()), new ModelOptions { ConfigOverlay = overlay });
            var search = rule["search"]!.AsObject();
            var expectation = rule["expect"]!.GetValue<string>();
            if (expectation == "ok")
            {
                using var generator = new Generator(model, Params(model, search));
                continue;
            }

            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Generator(model, Params(model, search)).Dispose());
            foreach (var name in new[] { "vocab_size", "eos_token_id", "top_k", "num_return_sequences", "num_beams", "batch_size" })
            {
                if (expectation.Contains(name, StringComparison.Ordinal))
                {
                    Assert.Contains(name, error.Message, StringComparison.Ordinal);
                    break;
                }
            }
        }
    }

    private static Model LoadModel(JsonObject testCase)
    {
        var overlay = testCase["config_overlay"]?.ToJsonString();
        return Model.Load(SharedTestData.PathOf("models/" + testCase["model"]!.GetValue<string>()), new ModelOptions { ConfigOverlay = overlay });
    }

    private static GeneratorParams Params(Model model, JsonObject search)
    {
        var parameters = new GeneratorParams(model);
        foreach (var (key, value) in search)
        {
            switch (key)
            {
                case "max_length": parameters.MaxLength = value!.GetValue<int>(); break;
                case "min_length": parameters.MinLength = value!.GetValue<int>(); break;
                case "batch_size": parameters.BatchSize = value!.GetValue<int>(); break;
                case "num_beams": parameters.NumBeams = value!.GetValue<int>(); break;
                case "num_return_sequences": parameters.NumReturnSequences = value!.GetValue<int>(); break;
                case "length_penalty": parameters.LengthPenalty = value!.GetValue<float>(); break;
                case "do_sample": parameters.DoSample = value!.GetValue<bool>(); break;
                case "top_p": parameters.TopP = value!.GetValue<float>(); break;
                case "temperature": parameters.Temperature = value!.GetValue<float>(); break;
                case "random_seed": parameters.RandomSeed = value!.GetValue<int>(); break;
                case "top_k":
                    parameters.TopK = value!.GetValueKind() == System.Text.Json.JsonValueKind.String
                        ? model.VocabSize + int.Parse(value.GetValue<string>().Split('+')[1], CultureInfo.InvariantCulture)
                        : value.GetValue<int>();
                    break;
                default:
                    Assert.Fail($"Search option '{key}' is not mapped.");
                    break;
            }
        }

        return parameters;
    }

    private static void GenerateUntilDone(Generator generator)
    {
        for (var guard = 0; !generator.IsDone; guard++)
        {
            Assert.True(guard < 10_000, "generation did not finish");
            generator.GenerateNextToken();
        }
    }

    private static void AssertStrided(JsonObject check, float[] actual, int vocab, double tolerance)
    {
        var stride = check["stride"]!.GetValue<int>();
        var values = check["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        if (check["count_per_row"] is { } perRowNode)
        {
            var perRow = perRowNode.GetValue<int>();
            for (var i = 0; i < values.Length; i++)
            {
                var index = (i / perRow * vocab) + (i % perRow * stride);
                Assert.True(Math.Abs(actual[index] - values[i]) <= tolerance, $"value {i} (index {index}): {actual[index]} vs {values[i]}");
            }
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                Assert.True(Math.Abs(actual[i * stride] - values[i]) <= tolerance, $"value {i} (index {i * stride}): {actual[i * stride]} vs {values[i]}");
            }
        }
    }

    private static int[][] Rows(JsonNode node) =>
        [.. node.AsArray().Select(row => row!.AsArray().Select(t => t!.GetValue<int>()).ToArray())];

    private static float[][] FloatRows(JsonNode node) =>
        [.. node.AsArray().Select(row => row!.AsArray().Select(t => t!.GetValue<float>()).ToArray())];

    private static T[] Flatten<T>(T[][] rows) => [.. rows.SelectMany(r => r)];
}
