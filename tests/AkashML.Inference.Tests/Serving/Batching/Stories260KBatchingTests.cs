using AkashML.Inference.Building;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using AkashML.Inference.Tests.Building;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// stories260K has 8-wide heads, so the builder rotates Q and K itself from positions derived from the attention mask
/// (not GroupQueryAttention's fused rotary); its int4 build runs MatMulNBits. Batching must be exact on both.
/// </summary>
public sealed class Stories260KBatchingTests
{
    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Batched_requests_match_running_each_alone_in_fp32_and_int4()
    {
        using var temp = new TempDirectory();
        var dir = SharedTestData.PathOf("models/llama2c-stories260K");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        foreach (var int4 in new[] { false, true })
        {
            var folder = temp.Combine(int4 ? "int4" : "fp32");
            await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), folder, int4, cancellationToken: timeout.Token);
            var descriptor = new ModelDescriptor { Id = "stories", DisplayName = "stories", Path = folder, ContextLength = 512 };
            using var batched = TextModel.Load(descriptor, new ModelOptions { IntraOpThreads = 1 }, maxConcurrency: 4, maxBatchSize: 4);
            using var alone = TextModel.Load(descriptor, new ModelOptions { IntraOpThreads = 1 }, maxConcurrency: 4, maxBatchSize: 1);
            Assert.NotNull(batched.Batching);
            var requests = new[] { "Once upon a time", "Tom and his mom went to the", "The cat", "Lily had a big red ball. She", "One day" }
                .Select((text, i) => new GenerationRequest
                {
                    PromptTokens = alone.EncodePrompt(text, isRenderedChat: false),
                    MaxNewTokens = 150 + (i * 20),
                    Temperature = i % 2 == 0 ? 0 : 0.9,
                    Seed = i,
                    TopLogprobs = i == 1 ? 2 : null,
                    N = i == 3 ? 2 : 1,
                })
                .ToArray();
            var results = await Task.WhenAll(requests.Select(r => Task.Run(() => GenerationTranscript.CollectAsync(batched, r, timeout.Token))));
            for (var i = 0; i < requests.Length; i++)
            {
                Assert.Equal(await GenerationTranscript.CollectAsync(alone, requests[i], timeout.Token), results[i]);
            }

            Assert.True(batched.Batching!.DecodedRows > batched.Batching.SharedSteps, $"some step decoded several sequences (int4: {int4})");
        }
    }
}
