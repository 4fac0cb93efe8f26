using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AkashML.Inference.Catalog;
using AkashML.Inference.ChatTemplates;
using AkashML.Inference.Generation;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Runtime;
using AkashML.Inference.Runtime.Caching;
using AkashML.Inference.Serving.Batching;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Serving;

/// <summary>
/// A GenAI-format model folder ready to serve text: the ONNX session, its tokenizer and chat template, and the
/// decode loop that turns a <see cref="GenerationRequest"/> into streamed, stop-aware, UTF-8-safe text.
/// </summary>
/// <remarks>
/// One ONNX session is shared by every request. Where the model allows it (a GroupQueryAttention graph with a shared
/// past/present buffer) and <c>maxBatchSize</c> &gt; 1, each choice becomes a sequence of the model's batch scheduler,
/// which decodes up to <c>maxBatchSize</c> sequences in shared steps. Otherwise (and for best_of) each request owns its
/// generator (KV cache, positions, sampler), and at most <c>maxConcurrency</c> requests decode at once; the rest wait
/// in order. Both paths produce the same tokens for the same request.
/// </remarks>
public sealed class TextModel : ITextModel, IDisposable
{
    private readonly Model _model;
    private readonly ChatPrompt _prompt;
    private readonly SemaphoreSlim _slots;
    private readonly int[] _eosTokenIds;
    private readonly Lazy<string?[]> _tokenTexts;
    private readonly Lazy<JsonVocabulary> _vocabulary;
    private readonly ConcurrentDictionary<string, GrammarMasks> _grammars = new(StringComparer.Ordinal);
    private readonly BatchScheduler? _batch;
    private readonly PrefixCache? _cache;

    private TextModel(ModelDescriptor descriptor, Model model, ChatPrompt prompt, int maxConcurrency, int maxBatchSize, int prefillChunkTokens, PrefixCacheOptions? prefixCache)
    {
        Descriptor = descriptor;
        _model = model;
        _prompt = prompt;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _eosTokenIds = model.Config.Model?.EosTokenId ?? [];
        _tokenTexts = new Lazy<string?[]>(BuildTokenTexts);
        _vocabulary = new Lazy<JsonVocabulary>(() => new JsonVocabulary(_tokenTexts.Value, _eosTokenIds));
        _cache = prefixCache is null ? null : PrefixCache.For(model, prefixCache.BlockTokens, prefixCache.MaxBytes);
        _batch = maxBatchSize > 1 && BatchDecoder.Supports(model) ? new BatchScheduler(model, maxBatchSize, descriptor.Id, prefillChunkTokens, _cache) : null;
    }

    public ModelDescriptor Descriptor { get; }

    public ITokenizer Tokenizer => _prompt.Tokenizer;

    public bool SupportsTools => _prompt.SupportsTools;

    /// <summary>The batch scheduler's counters, or null when this model serves every request on its own generator.</summary>
    public BatchingStatistics? Batching => _batch?.Statistics;

    /// <summary>The prefix cache's counters, or null when this model caches no prompt prefixes.</summary>
    public PrefixCacheStatistics? PrefixCaching => _cache?.Statistics;

    /// <summary>The batch scheduler's live load (queue, batch, KV slots), or null when this model does not batch.</summary>
    public BatchingLoad? BatchLoad => _batch?.Load;

    /// <summary>Holds the batch scheduler between iterations (tests: deterministic arrival, see <see cref="IterationGate"/>).</summary>
    internal IterationGate GateBatching() =>
        (_batch ?? throw new InvalidOperationException($"{Descriptor.Id} does not batch.")).Gate();

    /// <summary>
    /// Loads the folder named by <paramref name="descriptor"/>; throws the runtime's load exceptions on bad folders.
    /// <paramref name="maxBatchSize"/> &gt; 1 turns on continuous batching where the model allows it; batched prompts
    /// longer than <paramref name="prefillChunkTokens"/> are then prefilled in chunks of that size (0: never). With
    /// <paramref name="prefixCache"/> both paths reuse the cached blocks of prompt prefixes seen before.
    /// </summary>
    public static TextModel Load(ModelDescriptor descriptor, ModelOptions options, int maxConcurrency, int maxBatchSize = 1,
        int prefillChunkTokens = InferenceOptions.DefaultPrefillChunkTokens, PrefixCacheOptions? prefixCache = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefillChunkTokens);
        var model = Model.Load(descriptor.Path, options);
        try
        {
            return new TextModel(descriptor with { ContextLength = Math.Min(descriptor.ContextLength, model.ContextLength) }, model,
                ChatPrompt.FromDirectory(descriptor.Path), maxConcurrency, maxBatchSize, prefillChunkTokens, prefixCache);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) => _prompt.Render(messages, tools, addGenerationPrompt);

    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => _prompt.Encode(text, isRenderedChat);

    /// <summary>Grammars per key kept bound to the vocabulary (with their mask caches); past it the oldest are dropped.</summary>
    public const int MaxCachedGrammars = 32;

    /// <summary>
    /// Our runtime gives every feature a <see cref="GenerationRequest"/> can ask for; a grammar must also be writable
    /// with this vocabulary (binding it here also warms its mask cache for the request).
    /// </summary>
    public void EnsureSupported(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Grammar is { } grammar)
        {
            try
            {
                MasksFor(grammar);
            }
            catch (SchemaNotSupportedException ex)
            {
                throw new UnsupportedGenerationFeatureException(ex.Message, ex.Parameter ?? grammar.Parameter);
            }
        }
    }

    /// <summary>The grammar bound to this model's vocabulary, shared by every request with the same grammar key.</summary>
    public GrammarMasks MasksFor(StructuredGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        if (_grammars.TryGetValue(grammar.Key, out var masks))
        {
            return masks;
        }

        masks = new GrammarMasks(grammar, _vocabulary.Value);
        if (_grammars.Count >= MaxCachedGrammars)
        {
            _grammars.Clear();
        }

        return _grammars.GetOrAdd(grammar.Key, masks);
    }

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sampling = ToSamplingOptions(request);
        sampling.Validate(_model.VocabSize);
        if (_batch is not null && CanBatch(request))
        {
            await foreach (var update in GenerateBatchedAsync(_batch, request, sampling, cancellationToken))
            {
                yield return update;
            }

            yield break;
        }

        var candidates = Math.Max(request.BestOf, request.N);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            if (candidates > request.N)
            {
                // best_of: generate every candidate, keep the n with the highest mean log-probability. The ranking needs
                // every token's log-probability whether or not the caller asked for them; unasked ones are dropped below.
                var scored = request.TopLogprobs is null ? request with { TopLogprobs = 0 } : request;
                var finished = new List<(double Score, List<GenerationUpdate> Updates)>();
                for (var c = 0; c < candidates; c++)
                {
                    var updates = new List<GenerationUpdate>();
                    double sum = 0;
                    await foreach (var update in RunChoiceAsync(scored, sampling, c, c, cancellationToken))
                    {
                        updates.Add(update);
                        sum += update.Logprobs?.Sum(l => l.Logprob) ?? 0;
                    }

                    var count = Math.Max(1, updates[^1].CompletionTokens);
                    finished.Add((sum / count, updates));
                }

                // The prompt counts once: as cached as it was for the first candidate (the later ones reuse its blocks).
                var cached = finished[0].Updates[^1].CachedPromptTokens;
                var index = 0;
                foreach (var (_, updates) in finished.OrderByDescending(f => f.Score).Take(request.N))
                {
                    foreach (var update in updates)
                    {
                        yield return update with { ChoiceIndex = index, Logprobs = request.TopLogprobs is null ? null : update.Logprobs, CachedPromptTokens = cached };
                    }

                    index++;
                }

                yield break;
            }

            for (var choice = 0; choice < request.N; choice++)
            {
                await foreach (var update in RunChoiceAsync(request, sampling, choice, choice, cancellationToken))
                {
                    // Updates decoded ahead of a slow reader are dropped once the caller cancels.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return update;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        _batch?.Dispose();
        _model.Dispose();
        _slots.Dispose();
    }

    /// <summary>
    /// Requests the scheduler takes: at least one choice, no best_of (it ranks finished candidates), at least one new token, and prompts that
    /// fit the context with valid ids. Anything else takes the per-request path, which reports the problem as before.
    /// </summary>
    private bool CanBatch(GenerationRequest request)
    {
        var prompt = request.PromptTokens;
        if (request.N < 1 || request.BestOf > request.N || request.MaxNewTokens < 1 || prompt.Count == 0 || (long)prompt.Count + request.MaxNewTokens > _model.ContextLength)
        {
            return false;
        }

        foreach (var id in prompt)
        {
            if ((uint)id >= (uint)_model.VocabSize)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Each choice becomes one sequence of the batch; their updates arrive interleaved, each with its choice index.</summary>
    private async IAsyncEnumerable<GenerationUpdate> GenerateBatchedAsync(BatchScheduler batch, GenerationRequest request, SamplingOptions sampling, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var owner = new BatchRequest(request.N, cancellationToken);
        var prompt = request.PromptTokens.ToArray();
        var sequences = new BatchSequence[request.N];
        for (var choice = 0; choice < request.N; choice++)
        {
            var (recorder, output) = CreateChoice(request, sampling, prompt, choice, choice);
            sequences[choice] = new BatchSequence(owner, prompt, recorder, output);
        }

        batch.Enqueue(sequences);
        try
        {
            await foreach (var update in owner.Reader.ReadAllAsync(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }
        }
        finally
        {
            owner.Abandon();
        }
    }

    /// <summary>A choice's selector (its own seed stream, penalties, bias, JSON constraint) and its text output.</summary>
    private (SelectionRecorder Recorder, ChoiceOutput Output) CreateChoice(GenerationRequest request, SamplingOptions sampling, int[] prompt, int choiceIndex, int stream)
    {
        ITokenConstraint? constraint = request.Grammar is { } grammar ? new StructuredConstraint(MasksFor(grammar), request.MaxNewTokens)
            : request.JsonObject ? new JsonConstraint(_vocabulary.Value)
            : null;
        var selector = new TokenSelector(sampling, _model.VocabSize, constraint, stream);
        selector.ObservePrompt(prompt);
        var recorder = new SelectionRecorder(selector, request.TopLogprobs);
        var output = new ChoiceOutput(request, choiceIndex, _prompt.Tokenizer.CreateIncrementalDecoder(skipSpecialTokens: true), _eosTokenIds, constraint, Describe);
        return (recorder, output);
    }

    /// <summary>
    /// Runs one choice on a thread of its own (ORT calls block, and so does waiting for a slow reader) and streams its
    /// updates. Not a thread-pool thread: with several streams the blocked decode loops held every pool thread while the
    /// readers that would unblock them waited for one, and decode stalled a quarter of the time on a 2-core machine.
    /// </summary>
    private IAsyncEnumerable<GenerationUpdate> RunChoiceAsync(GenerationRequest request, SamplingOptions sampling, int choiceIndex, int stream, CancellationToken cancellationToken) =>
        DecodeThread.Start(writer => Decode(request, sampling, choiceIndex, stream, writer, cancellationToken), cancellationToken);

    private void Decode(GenerationRequest request, SamplingOptions sampling, int choiceIndex, int stream, ChannelWriter<GenerationUpdate> output, CancellationToken cancellationToken)
    {
        var prompt = request.PromptTokens.ToArray();
        var parameters = new GeneratorParams(_model)
        {
            MaxLength = prompt.Length + request.MaxNewTokens,
            BatchSize = 1,
            NumBeams = 1,
            NumReturnSequences = 1,
            MinLength = 0,
            RepetitionPenalty = 1f,
            DoSample = false,
        };
        using var generator = new Generator(_model, parameters);
        var (recorder, text) = CreateChoice(request, sampling, prompt, choiceIndex, stream);
        var outputs = new List<GenerationUpdate>(2);
        generator.SetTokenSelector(0, recorder);
        text.CachedPromptTokens = generator.AppendPrompt(prompt, _cache, cancellationToken);

        while (!text.IsFinished)
        {
            if (generator.IsDone)
            {
                Write(output, text.Finish(text.Produced >= request.MaxNewTokens ? FinishReason.Length : FinishReason.Stop), cancellationToken);
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            generator.GenerateNextToken(cancellationToken);
            outputs.Clear();
            text.Accept(recorder.LastChoice, outputs.Add);
            foreach (var update in outputs)
            {
                Write(output, update, cancellationToken);
            }
        }
    }

    private static void Write(ChannelWriter<GenerationUpdate> output, GenerationUpdate update, CancellationToken cancellationToken)
    {
        while (!output.TryWrite(update))
        {
            // The reader is slower than decoding: wait for room rather than buffering without bound.
            output.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        }
    }

    private TokenLogprob Describe(TokenChoice choice) =>
        new(choice.TokenId, TokenText(choice.TokenId), choice.Logprob,
            choice.TopLogprobs.Select(a => new TokenAlternative(a.TokenId, TokenText(a.TokenId), a.Logprob)).ToList());

    private string TokenText(int id) => id < _prompt.Tokenizer.VocabularySize ? _prompt.Tokenizer.Decode([id]) : "";

    private string?[] BuildTokenTexts()
    {
        var texts = new string?[_model.VocabSize];
        for (var id = 0; id < texts.Length; id++)
        {
            texts[id] = id < _prompt.Tokenizer.VocabularySize ? _prompt.Tokenizer.Decode([id], skipSpecialTokens: true) : null;
        }

        return texts;
    }

    private static SamplingOptions ToSamplingOptions(GenerationRequest request) => new()
    {
        Temperature = (float)request.Temperature,
        TopK = request.TopK,
        TopP = (float)request.TopP,
        MinP = (float)request.MinP,
        Seed = request.Seed,
        FrequencyPenalty = (float)request.FrequencyPenalty,
        PresencePenalty = (float)request.PresencePenalty,
        RepetitionPenalty = (float)request.RepetitionPenalty,
        LogitBias = request.LogitBias?.ToDictionary(p => p.Key, p => (float)p.Value),
        TopLogprobs = request.TopLogprobs ?? 0,
    };
}
