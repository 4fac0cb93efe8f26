using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Tests.Sampling;

public sealed class TokenSelectorTests
{
    private const int Vocabulary = 1000;

    [Fact]
    public void Same_seed_gives_the_same_tokens_and_different_seeds_differ()
    {
        var options = new SamplingOptions { Temperature = 1f, Seed = 1234 };

        var first = Draw(new TokenSelector(options, Vocabulary), steps: 100);
        var second = Draw(new TokenSelector(options, Vocabulary), steps: 100);
        var other = Draw(new TokenSelector(options with { Seed = 1235 }, Vocabulary), steps: 100);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 10, "sampling at temperature 1 over noisy logits should vary");
    }

    [Fact]
    public void Streams_of_one_seed_are_distinct_like_n_equals_3()
    {
        var options = new SamplingOptions { Temperature = 1f, Seed = 42 };

        var choices = Enumerable.Range(0, 3).Select(stream => Draw(new TokenSelector(options, Vocabulary, stream: stream), steps: 50)).ToList();

        Assert.NotEqual(choices[0], choices[1]);
        Assert.NotEqual(choices[0], choices[2]);
        Assert.NotEqual(choices[1], choices[2]);
        Assert.Equal(choices[1], Draw(new TokenSelector(options, Vocabulary, stream: 1), steps: 50));
    }

    [Fact]
    public void Without_a_seed_two_selectors_differ()
    {
        var options = new SamplingOptions { Temperature = 1f };

        Assert.NotEqual(Draw(new TokenSelector(options, Vocabulary), steps: 50), Draw(new TokenSelector(options, Vocabulary), steps: 50));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(32003)]
    [InlineData(151936)]
    public void Top_k_one_and_temperature_zero_pick_the_argmax(int vocabulary)
    {
        for (var seed = 0; seed < 5; seed++)
        {
            var logits = TestLogits.Gaussian(vocabulary, seed);
            var expected = TestLogits.ArgMax(logits);

            var greedy = new TokenSelector(SamplingOptions.Greedy, vocabulary).Select(logits.ToArray());
            var topK = new TokenSelector(new SamplingOptions { TopK = 1, Temperature = 1.5f, Seed = seed }, vocabulary).Select(logits.ToArray());
            var cold = new TokenSelector(new SamplingOptions { Temperature = 1e-3f, Seed = seed }, vocabulary).Select(logits.ToArray());

            Assert.Equal(expected, greedy.TokenId);
            Assert.Equal(expected, topK.TokenId);
            Assert.Equal(expected, cold.TokenId);
        }
    }

    [Fact]
    public void Greedy_takes_the_first_of_equal_maxima()
    {
        var logits = new float[40];
        logits[17] = 5f;
        logits[33] = 5f;
        logits[39] = 5f;

        Assert.Equal(17, new TokenSelector(SamplingOptions.Greedy, 40).Select(logits).TokenId);
    }

    [Fact]
    public void Logit_bias_minus_100_bans_the_maximum_and_plus_100_forces_a_token()
    {
        var logits = TestLogits.Gaussian(Vocabulary, seed: 7);
        var top = TestLogits.ArgMax(logits);
        logits[top] = 1000f;

        var banned = new TokenSelector(
            new SamplingOptions { Temperature = 0f, LogitBias = new Dictionary<int, float> { [top] = -100f } },
            Vocabulary).Select(logits.ToArray());
        var withoutTop = logits.ToArray();
        withoutTop[top] = float.MinValue;
        Assert.Equal(TestLogits.ArgMax(withoutTop), banned.TokenId);

        var forcedId = (top + 1) % Vocabulary;
        var forcing = new TokenSelector(
            new SamplingOptions { Temperature = 1f, Seed = 3, LogitBias = new Dictionary<int, float> { [forcedId] = 100f, [top] = -100f } },
            Vocabulary);
        var counts = TestLogits.Histogram(forcing, logits, draws: 200);
        Assert.Equal(200, counts[forcedId]);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_nucleus_and_renormalises()
    {
        var logits = TestLogits.FromProbabilities(0.5, 0.3, 0.15, 0.05);
        var selector = new TokenSelector(new SamplingOptions { TopP = 0.75f, Seed = 11 }, 4);

        var counts = TestLogits.Histogram(selector, logits, draws: 4000);

        Assert.Equal(0, counts[2] + counts[3]);
        Assert.InRange(counts[0] / 4000.0, 0.625 - 0.03, 0.625 + 0.03);
    }

    [Fact]
    public void Top_p_nucleus_wider_than_the_first_guess_is_found()
    {
        // 3000 tokens in strictly decreasing order of nearly equal weight: top_p 0.5 needs about the first 1500.
        const int size = 3000;
        var logits = new float[size];
        for (var i = 0; i < size; i++)
        {
            logits[i] = -i * 1e-4f;
        }

        var probabilities = TestLogits.LogSoftmax(logits).Select(Math.Exp).ToArray();
        var nucleus = 0;
        for (var mass = 0.0; mass < 0.5; nucleus++)
        {
            mass += probabilities[nucleus];
        }

        var counts = TestLogits.Histogram(new TokenSelector(new SamplingOptions { TopP = 0.5f, Seed = 5 }, size), logits, draws: 3000);

        Assert.Equal(0, counts.Skip(nucleus + 1).Sum());
        Assert.True(counts.Take(nucleus / 2).Sum() > 1200, "the first half of the nucleus carries about half the draws");
        Assert.True(counts.Skip(nucleus / 2).Take(nucleus / 2).Sum() > 1200, "the second half of the nucleus carries about half too");
    }

    [Fact]
    public void Min_p_drops_tokens_below_the_fraction_of_the_top_probability()
    {
        var logits = TestLogits.FromProbabilities(0.5, 0.3, 0.15, 0.05);
        var selector = new TokenSelector(new SamplingOptions { MinP = 0.25f, Seed = 9 }, 4);

        var counts = TestLogits.Histogram(selector, logits, draws: 4000);

        Assert.Equal(0, counts[3]);
        Assert.InRange(counts[2] / 4000.0, (0.15 / 0.95) - 0.03, (0.15 / 0.95) + 0.03);
    }

    [Fact]
    public void Top_k_restricts_draws_to_the_k_most_likely()
    {
        var logits = TestLogits.Gaussian(Vocabulary, seed: 21, scale: 0.5f);
        var topFive = logits.Select((x, i) => (x, i)).OrderByDescending(p => p.x).Take(5).Select(p => p.i).ToHashSet();
        var selector = new TokenSelector(new SamplingOptions { TopK = 5, Seed = 1 }, Vocabulary);

        var counts = TestLogits.Histogram(selector, logits, draws: 1000);

        Assert.Equal(1000, topFive.Sum(i => counts[i]));
        Assert.All(topFive, i => Assert.True(counts[i] > 50, "each of five near-equal tokens is drawn often"));
    }

    [Fact]
    public void Draws_follow_the_softmax_at_temperature_one_and_flatten_at_two()
    {
        var logits = TestLogits.FromProbabilities(0.6, 0.25, 0.1, 0.05);
        var atOne = TestLogits.Histogram(new TokenSelector(new SamplingOptions { Seed = 2 }, 4), logits, draws: 5000);
        var atTwo = TestLogits.Histogram(new TokenSelector(new SamplingOptions { Temperature = 2f, Seed = 2 }, 4), logits, draws: 5000);

        double[] expected = [0.6, 0.25, 0.1, 0.05];
        for (var i = 0; i < 4; i++)
        {
            Assert.InRange(atOne[i] / 5000.0, expected[i] - 0.025, expected[i] + 0.025);
        }

        // At T = 2 the probabilities are proportional to sqrt(p).
        var flat = expected.Select(Math.Sqrt).ToArray();
        var flatSum = flat.Sum();
        Assert.InRange(atTwo[0] / 5000.0, (flat[0] / flatSum) - 0.025, (flat[0] / flatSum) + 0.025);
    }

    [Fact]
    public void Frequency_and_presence_penalties_apply_to_generated_tokens_only()
    {
        var selector = new TokenSelector(new SamplingOptions { Temperature = 0f, FrequencyPenalty = 0.5f, PresencePenalty = 0.25f }, 10);
        selector.Observe(5, isPrompt: true);
        selector.Observe(3, isPrompt: false);
        selector.Observe(3, isPrompt: false);
        selector.Observe(4, isPrompt: false);
        var logits = Enumerable.Repeat(1f, 10).ToArray();

        selector.Select(logits);

        Assert.Equal(1f - ((2 * 0.5f) + 0.25f), logits[3], 5);
        Assert.Equal(1f - (0.5f + 0.25f), logits[4], 5);
        Assert.Equal(1f, logits[5]);
        Assert.Equal(1f, logits[0]);
        Assert.Equal(3, selector.GeneratedCount);
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_prompt_and_generated_tokens()
    {
        var selector = new TokenSelector(new SamplingOptions { Temperature = 0f, RepetitionPenalty = 2f }, 10);
        selector.ObservePrompt([1, 2, 2]);
        selector.Observe(6, isPrompt: false);
        float[] logits = [3f, 3f, -3f, 3f, 3f, 3f, 0.5f, 3f, 3f, 3f];

        var choice = selector.Select(logits);

        Assert.Equal(1.5f, logits[1]);
        Assert.Equal(-6f, logits[2]);
        Assert.Equal(0.25f, logits[6]);
        Assert.Equal(3f, logits[0]);
        Assert.Equal(0, choice.TokenId);
    }

    [Fact]
    public void Penalties_change_which_token_greedy_picks()
    {
        var selector = new TokenSelector(new SamplingOptions { Temperature = 0f, FrequencyPenalty = 2f }, 3);
        float[] logits = [2f, 1f, 0f];

        Assert.Equal(0, selector.Select(logits.ToArray()).TokenId);
        selector.Observe(0, isPrompt: false);
        Assert.Equal(1, selector.Select(logits.ToArray()).TokenId);
    }

    [Fact]
    public void Top_logprobs_are_sorted_and_cover_a_distribution_that_sums_to_one()
    {
        var logits = TestLogits.Gaussian(20, seed: 4);
        var reference = TestLogits.LogSoftmax(logits);
        var selector = new TokenSelector(new SamplingOptions { Seed = 8 }, 20);

        var choice = selector.Select(logits.ToArray(), topLogprobs: 20);

        Assert.Equal(20, choice.TopLogprobs.Count);
        for (var i = 1; i < choice.TopLogprobs.Count; i++)
        {
            Assert.True(choice.TopLogprobs[i - 1].Logprob >= choice.TopLogprobs[i].Logprob);
        }

        Assert.Equal(1.0, choice.TopLogprobs.Sum(t => Math.Exp(t.Logprob)), 4);
        Assert.Equal(20, choice.TopLogprobs.Select(t => t.TokenId).Distinct().Count());
        Assert.All(choice.TopLogprobs, t => Assert.Equal(reference[t.TokenId], t.Logprob, 4));
        Assert.Equal(reference[choice.TokenId], choice.Logprob, 4);
    }

    [Fact]
    public void Logprobs_are_of_the_biased_distribution_before_temperature_and_truncation()
    {
        var logits = TestLogits.Gaussian(151936, seed: 6);
        var bias = new Dictionary<int, float> { [10] = 20f };
        var biased = logits.ToArray();
        biased[10] += 20f;
        var reference = TestLogits.LogSoftmax(biased);
        var selector = new TokenSelector(new SamplingOptions { Temperature = 0.3f, TopK = 3, TopP = 0.5f, Seed = 1, LogitBias = bias }, logits.Length);

        var choice = selector.Select(logits.ToArray(), topLogprobs: 5);

        Assert.Equal(10, choice.TopLogprobs[0].TokenId);
        Assert.Equal(reference[choice.TokenId], choice.Logprob, 3);
        var expectedTop = reference.Select((lp, id) => (lp, id)).OrderByDescending(p => p.lp).Take(5).Select(p => p.id);
        Assert.Equal(expectedTop, choice.TopLogprobs.Select(t => t.TokenId));
        Assert.All(choice.TopLogprobs, t => Assert.Equal(reference[t.TokenId], t.Logprob, 3));
    }

    [Fact]
    public void NaN_logits_are_never_chosen()
    {
        var logits = TestLogits.Gaussian(100, seed: 2);
        logits[0] = float.NaN;
        logits[50] = float.NaN;

        var choice = new TokenSelector(new SamplingOptions { Seed = 1 }, 100).Select(logits, topLogprobs: 20);

        Assert.NotEqual(0, choice.TokenId);
        Assert.NotEqual(50, choice.TokenId);
        Assert.True(float.IsFinite(choice.Logprob));
        Assert.DoesNotContain(choice.TopLogprobs, t => t.TokenId is 0 or 50);
    }

    [Fact]
    public void Excluding_every_token_is_a_clear_error()
    {
        var bias = Enumerable.Range(0, 3).ToDictionary(i => i, _ => -100f);
        var selector = new TokenSelector(new SamplingOptions { LogitBias = bias }, 3);

        var error = Assert.Throws<InvalidOperationException>(() => selector.Select(new float[3]));
        Assert.Contains("logit_bias", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_logits_length_and_unknown_token_ids_are_rejected()
    {
        var selector = new TokenSelector(SamplingOptions.Greedy, 10);

        Assert.Throws<ArgumentException>(() => selector.Select(new float[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => selector.Observe(10, isPrompt: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => selector.Observe(-1, isPrompt: false));
    }

    private static int[] Draw(TokenSelector selector, int steps)
    {
        var tokens = new int[steps];
        for (var step = 0; step < steps; step++)
        {
            var choice = selector.Select(TestLogits.Gaussian(Vocabulary, seed: step, scale: 1f));
            selector.Observe(choice.TokenId, isPrompt: false);
            tokens[step] = choice.TokenId;
        }

        return tokens;
    }
}
