using System.Globalization;
using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Tests.Sampling;

/// <summary>
/// Seeded selections are part of the API contract (same seed, same tokens): these pin the exact tokens and
/// log-probability bits of each sampling mode, recorded before the selector skipped work it does not need, and check
/// that not asking for log-probabilities never changes which token is drawn.
/// </summary>
public sealed class TokenSelectorReproducibilityTests
{
    // Not a multiple of any vector width, so the scalar tail of every vectorised pass is exercised too.
    private const int Vocabulary = 32003;
    private const int Steps = 24;

    public static TheoryData<string, string> Recorded => new()
    {
        { "greedy", "8084b5ff" },
        { "temperature-1", "fab9ee5f" },
        { "temperature-0.7", "3ba8ffed" },
        { "top-k-40", "ca47fa0b" },
        { "top-k-40-temperature-0.8", "0d5e725e" },
        { "top-p-0.9", "fd7d1146" },
        { "top-p-0.5-min-p", "e082204c" },
        { "min-p-temperature-1.2", "34401bfe" },
        { "top-p-0.999", "fab9ee5f" },
    };

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Seeded_tokens_and_logprobs_match_the_recorded_ones(string mode, string expected)
    {
        var selector = new TokenSelector(Options(mode), Vocabulary);

        Assert.Equal(expected, Fingerprint(selector, withLogprobs: true));
    }

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Not_asking_for_logprobs_draws_the_same_tokens(string mode, string recorded)
    {
        _ = recorded;
        var with = Run(new TokenSelector(Options(mode), Vocabulary), withLogprobs: true);
        var without = Run(new TokenSelector(Options(mode), Vocabulary), withLogprobs: false);

        Assert.Equal(with.Select(c => c.TokenId), without.Select(c => c.TokenId));
        Assert.All(without, c => Assert.True(float.IsNaN(c.Logprob), "a log-probability nobody asked for is not computed"));
        Assert.All(with, c => Assert.True(c.Logprob <= 0f));
    }

    private static SamplingOptions Options(string mode)
    {
        var penalised = new SamplingOptions
        {
            Seed = 20261207,
            RepetitionPenalty = 1.3f,
            FrequencyPenalty = 0.5f,
            PresencePenalty = 0.25f,
            LogitBias = new Dictionary<int, float> { [5] = -100f, [77] = 2.5f },
        };
        return mode switch
        {
            "greedy" => penalised with { Temperature = 0f },
            "temperature-1" => penalised,
            "temperature-0.7" => penalised with { Temperature = 0.7f },
            "top-k-40" => penalised with { TopK = 40 },
            "top-k-40-temperature-0.8" => penalised with { TopK = 40, Temperature = 0.8f },
            "top-p-0.9" => penalised with { TopP = 0.9f },
            "top-p-0.5-min-p" => penalised with { TopP = 0.5f, Temperature = 0.7f, MinP = 0.05f },
            "min-p-temperature-1.2" => penalised with { MinP = 0.1f, Temperature = 1.2f },
            "top-p-0.999" => penalised with { TopP = 0.999f },
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown sampling mode"),
        };
    }

    private static List<TokenChoice> Run(TokenSelector selector, bool withLogprobs)
    {
        selector.ObservePrompt([1, 2, 3, 77, 1000]);
        var choices = new List<TokenChoice>();
        for (var step = 0; step < Steps; step++)
        {
            var logits = TestLogits.Gaussian(Vocabulary, seed: step, scale: 3f);
            var choice = withLogprobs ? selector.Select(logits, topLogprobs: 0) : selector.Select(logits, topLogprobs: null);
            selector.Observe(choice.TokenId, isPrompt: false);
            choices.Add(choice);
        }

        return choices;
    }

    /// <summary>FNV-1a over the chosen ids and the bits of their log-probabilities.</summary>
    private static string Fingerprint(TokenSelector selector, bool withLogprobs)
    {
        var hash = 2166136261u;
        foreach (var choice in Run(selector, withLogprobs))
        {
            hash = (hash ^ (uint)choice.TokenId) * 16777619u;
            hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(choice.Logprob)) * 16777619u;
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
