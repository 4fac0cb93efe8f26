using AkashML.Inference.Serving;
using AkashML.Inference.Serving.Batching;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// The scheduler's live load, which the host's metrics read at scrape time: sequences waiting for a slot, the decoding
/// batch and the KV slots taken, as of the last iteration.
/// </summary>
public sealed class BatchingLoadTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Three_requests_for_two_slots_show_two_decoding_and_one_waiting()
    {
        using var model = fixture.Load(2, prefillChunkTokens: 0);
        using var timeout = new CancellationTokenSource(Limit);
        Assert.Equal(new BatchingLoad(0, 0, 0, 2), model.BatchLoad);

        var requests = new[] { Request(1), Request(2), Request(3) };
        var running = new List<Task<IReadOnlyDictionary<int, string>>>();
        using (var gate = model.GateBatching())
        {
            // Collecting starts by queueing the request, so all three arrive before the first iteration.
            running.AddRange(requests.Select(r => GenerationTranscript.CollectAsync(model, r, timeout.Token)));
            gate.Advance();
            Assert.Equal(new BatchingLoad(1, 2, 2, 2), model.BatchLoad);
        }

        // Once the gate opens all three finish (the third took a freed slot).
        Assert.Equal(3, (await Task.WhenAll(running)).Length);
    }

    private GenerationRequest Request(int seed) => new()
    {
        LogitBias = fixture.NoEos,
        PromptTokens = [.. fixture.Alone.EncodePrompt($"word{seed} and word{seed + 1} and", isRenderedChat: false)],
        MaxNewTokens = 20,
        Temperature = 0,
    };
}
