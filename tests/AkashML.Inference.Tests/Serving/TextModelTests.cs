using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Tests.Serving;

public sealed class TextModelTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private TextModel Model => fixture.Model;

    [Fact]
    public async Task Same_seed_and_prompt_give_the_same_tokens_and_other_seeds_differ()
    {
        var request = Request("Tell me a story", 24) with { Temperature = 1.0, Seed = 42 };
        var first = await RunAsync(request);
        var again = await RunAsync(request);
        var other = await RunAsync(request with { Seed = 43 });
        Assert.Equal(first.Tokens, again.Tokens);
        Assert.NotEqual(first.Tokens, other.Tokens);
    }

    [Fact]
    public async Task Temperature_zero_and_top_k_one_both_equal_greedy()
    {
        var greedy = await RunAsync(Request("The weather today", 16) with { Temperature = 0 });
        var topK = await RunAsync(Request("The weather today", 16) with { Temperature = 1, TopK = 1, Seed = 7 });
        Assert.Equal(greedy.Tokens, topK.Tokens);
        Assert.Equal(16, greedy.Tokens.Count);
        Assert.Equal(FinishReason.Length, greedy.Finish);
    }

    [Fact]
    public async Task A_logit_bias_of_minus_100_bans_the_greedy_choice()
    {
        var greedy = await RunAsync(Request("Hello", 1) with { Temperature = 0 });
        var banned = greedy.Tokens[0];
        var biased = await RunAsync(Request("Hello", 1) with { Temperature = 0, LogitBias = new Dictionary<int, double> { [banned] = -100 } });
        Assert.NotEqual(banned, biased.Tokens[0]);
    }

    [Fact]
    public async Task A_stop_sequence_spanning_tokens_ends_the_choice_and_is_never_emitted()
    {
        var greedy = await RunAsync(Request("Once upon a time", 40) with { Temperature = 0 });
        var text = greedy.Text;
        // A stop that starts inside one token's text and ends in a later one.
        var start = text.Length / 3;
        var stop = text.Substring(start, Math.Min(6, text.Length - start));
        var stopped = await RunAsync(Request("Once upon a time", 40) with { Temperature = 0, StopSequences = [stop] });
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.DoesNotContain(stop, stopped.Text, StringComparison.Ordinal);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.Equal(stop, stopped.StopSequence);
    }

    [Fact]
    public async Task Three_sampled_choices_are_distinct_and_numbered()
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in Model.GenerateAsync(Request("Pick a colour", 12) with { N = 3, Seed = 5 }, CancellationToken.None))
        {
            updates.Add(update);
        }

        var choices = updates.GroupBy(u => u.ChoiceIndex).ToDictionary(g => g.Key, g => g.SelectMany(u => u.TokenIds).ToList());
        Assert.Equal([0, 1, 2], choices.Keys.Order());
        Assert.Equal(3, choices.Values.Select(c => string.Join(',', c)).Distinct().Count());
    }

    [Fact]
    public async Task Logprobs_report_the_chosen_token_and_sorted_alternatives()
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in Model.GenerateAsync(Request("Numbers", 5) with { Temperature = 0, TopLogprobs = 3 }, CancellationToken.None))
        {
            updates.Add(update);
        }

        var logprobs = updates.Where(u => u.Logprobs is not null).SelectMany(u => u.Logprobs!).ToList();
        Assert.Equal(5, logprobs.Count);
        foreach (var lp in logprobs)
        {
            Assert.Equal(3, lp.TopAlternatives.Count);
            Assert.True(lp.Logprob <= 0);
            Assert.Equal(lp.TopAlternatives.OrderByDescending(a => a.Logprob).Select(a => a.TokenId), lp.TopAlternatives.Select(a => a.TokenId));
            // Greedy: the chosen token is the most likely one.
            Assert.Equal(lp.TopAlternatives[0].TokenId, lp.TokenId);
        }
    }

    [Fact]
    public async Task Best_of_returns_the_candidate_with_the_highest_mean_logprob_even_when_logprobs_were_not_asked_for()
    {
        const int Candidates = 4;

        // best_of candidate c draws from seed stream c, as choice c of n = best_of does: score those choices here.
        // Take the first seed whose best candidate is not the first one, so keeping candidate 0 cannot pass.
        (int Seed, List<int> Tokens)? expected = null;
        for (var seed = 1; seed <= 20 && expected is null; seed++)
        {
            var choices = await ChoicesAsync(Request("Pick a colour", 10) with { N = Candidates, Seed = seed, TopLogprobs = 0 });
            var best = choices.MaxBy(c => c.Value.Sum(u => u.Logprobs?.Sum(l => l.Logprob) ?? 0) / Math.Max(1, c.Value[^1].CompletionTokens));
            if (best.Key != 0)
            {
                expected = (seed, best.Value.SelectMany(u => u.TokenIds).ToList());
            }
        }

        Assert.True(expected is not null, "every seed's best candidate was the first; the test needs one that is not");
        var result = await ChoicesAsync(Request("Pick a colour", 10) with { N = 1, BestOf = Candidates, Seed = expected.Value.Seed });

        var only = Assert.Single(result);
        Assert.Equal(expected.Value.Tokens, only.Value.SelectMany(u => u.TokenIds));
        Assert.All(only.Value, u => Assert.Null(u.Logprobs));
    }

    [Fact]
    public async Task Json_mode_output_is_valid_json_whenever_it_finishes()
    {
        var finished = 0;
        for (var seed = 1; seed <= 6; seed++)
        {
            var result = await RunAsync(Request("Give me JSON", 300) with { JsonObject = true, Seed = seed, Temperature = 0.7 });
            Assert.StartsWith("{", result.Text.TrimStart(), StringComparison.Ordinal);
            if (result.Finish == FinishReason.Stop)
            {
                finished++;
                using var document = JsonDocument.Parse(result.Text);
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
        }

        Assert.True(finished > 0, "no JSON-mode run completed its object within 300 tokens");
    }

    [Fact]
    public async Task Cancellation_stops_generation_within_a_step()
    {
        using var cancel = new CancellationTokenSource();
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Model.GenerateAsync(Request("Keep going", 5000), cancel.Token))
            {
                received++;
                if (received == 3)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.InRange(received, 3, 4);
    }

    [Fact]
    public async Task Invalid_sampling_values_are_refused_naming_the_parameter()
    {
        var error = await Assert.ThrowsAsync<InvalidSamplingOptionsException>(() => RunAsync(Request("x", 2) with { Temperature = 5 }));
        Assert.Equal("temperature", error.ParamName);
    }

    [Fact]
    public void Chat_rendering_uses_the_model_template_and_round_trips_through_the_tokenizer()
    {
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi there, how are you?" });
        var prompt = Model.RenderChat(messages, null, addGenerationPrompt: true);
        Assert.Contains("Hi there, how are you?", prompt, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", prompt, StringComparison.Ordinal);
        var ids = Model.EncodePrompt(prompt, isRenderedChat: true);
        Assert.Equal(prompt, Model.Tokenizer.Decode(ids));
    }

    private GenerationRequest Request(string prompt, int maxNew) => new()
    {
        PromptTokens = Model.EncodePrompt(prompt, isRenderedChat: false),
        MaxNewTokens = maxNew,
    };

    private async Task<Dictionary<int, List<GenerationUpdate>>> ChoicesAsync(GenerationRequest request)
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in Model.GenerateAsync(request with { Temperature = 1.0 }, CancellationToken.None))
        {
            updates.Add(update);
        }

        return updates.GroupBy(u => u.ChoiceIndex).ToDictionary(g => g.Key, g => g.ToList());
    }

    private async Task<Result> RunAsync(GenerationRequest request)
    {
        var text = new StringBuilder();
        var tokens = new List<int>();
        FinishReason? finish = null;
        string? stop = null;
        await foreach (var update in Model.GenerateAsync(request, CancellationToken.None))
        {
            text.Append(update.Text);
            tokens.AddRange(update.TokenIds);
            finish = update.FinishReason ?? finish;
            stop = update.MatchedStopSequence ?? stop;
        }

        return new Result(text.ToString(), tokens, finish, stop);
    }

    private sealed record Result(string Text, List<int> Tokens, FinishReason? Finish, string? StopSequence);
}
