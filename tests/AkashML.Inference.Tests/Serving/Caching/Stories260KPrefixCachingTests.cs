using AkashML.Inference.Building;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using AkashML.Inference.Tests.Building;
using AkashML.Inference.Tests.Serving.Batching;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Serving.Caching;

/// <summary>
/// stories260K rotates Q and K itself from positions derived from the attention mask, so a prompt continued after
/// cached blocks must get the positions it would have had: its outputs match an uncached model's, on both paths.
/// </summary>
public sealed class Stories260KPrefixCachingTests
{
    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Prompts_sharing_a_story_opening_stream_what_they_stream_uncached()
    {
        using var temp = new TempDirectory();
        var dir = SharedTestData.PathOf("models/llama2c-stories260K");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var folder = temp.Combine("fp32");
        await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), folder, false, cancellationToken: timeout.Token);
        var descriptor = new ModelDescriptor { Id = "stories", DisplayName = "stories", Path = folder, ContextLength = 512 };
        var cache = new PrefixCacheOptions { MaxMegabytes = 16, BlockTokens = 8 };
        using var uncached = TextModel.Load(descriptor, new ModelOptions { IntraOpThreads = 1 }, maxConcurrency: 4, maxBatchSize: 1);
        const string Opening = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. One day, ";
        var endings = new[] { "she found a big red ball", "a dog came to the park", "it started to rain" };
        foreach (var maxBatchSize in new[] { 4, 1 })
        {
            using var model = TextModel.Load(descriptor, new ModelOptions { IntraOpThreads = 1 }, maxConcurrency: 4, maxBatchSize, prefixCache: cache);
            for (var i = 0; i < endings.Length; i++)
            {
                var request = new GenerationRequest
                {
                    PromptTokens = uncached.EncodePrompt(Opening + endings[i], isRenderedChat: false),
                    MaxNewTokens = 40,
                    Temperature = i == 1 ? 0.8 : 0,
                    Seed = i,
                    TopLogprobs = 1,
                };
                Assert.Equal(await GenerationTranscript.CollectAsync(uncached, request, timeout.Token), await GenerationTranscript.CollectAsync(model, request, timeout.Token));
            }

            var statistics = model.PrefixCaching!;
            Assert.Equal(2, statistics.Hits);
            Assert.True(statistics.ReusedTokens >= 2 * 3 * 8, $"{statistics.ReusedTokens} tokens reused");
        }
    }
}
