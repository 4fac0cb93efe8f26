using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AkashML.Inference.Catalog;
using AkashML.Inference.ChatTemplates;
using AkashML.Inference.Generation;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Serving;

/// <summary>
/// A GenAI-format model folder ready to serve text: the ONNX session, its tokenizer and chat template, and the
/// decode loop that turns a <see cref="GenerationRequest"/> into streamed, stop-aware, UTF-8-safe text.
/// </summary>
/// <remarks>
/// One ONNX session is shared by every request; each request owns its generator (KV cache, positions, sampler).
/// At most <c>maxConcurrency</c> requests decode at once; the rest wait in order.
/// </remarks>
public sealed class TextModel : ITextModel, IDisposable
{
    private readonly Model _model;
    private readonly HuggingFaceTokenizer _tokenizer;
    private readonly IChatPromptRenderer _renderer;
    private readonly SemaphoreSlim _slots;
    private readonly int[] _eosTokenIds;
    private readonly Lazy<string?[]> _tokenTexts;

    private TextModel(ModelDescriptor descriptor, Model model, HuggingFaceTokenizer tokenizer, IChatPromptRenderer renderer, bool supportsTools, int maxConcurrency)
    {
        Descriptor = descriptor;
        _model = model;
        _tokenizer = tokenizer;
        _renderer = renderer;
        SupportsTools = supportsTools;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _eosTokenIds = model.Config.Model?.EosTokenId ?? [];
        _tokenTexts = new Lazy<string?[]>(BuildTokenTexts);
    }

    public ModelDescriptor Descriptor { get; }

    public ITokenizer Tokenizer => _tokenizer;

    public bool SupportsTools { get; }

    /// <summary>Loads the folder named by <paramref name="descriptor"/>; throws the runtime's load exceptions on bad folders.</summary>
    public static TextModel Load(ModelDescriptor descriptor, ModelOptions options, int maxConcurrency)
    {
        var model = Model.Load(descriptor.Path, options);
        try
        {
            var tokenizer = HuggingFaceTokenizer.FromDirectory(descriptor.Path);
            var source = tokenizer.Config.ChatTemplate;
            IChatPromptRenderer renderer = source is null ? PlainChatFormat.Instance : ChatTemplate.Parse(source);
            var supportsTools = source is not null && source.Contains("tools", StringComparison.Ordinal);
            return new TextModel(descriptor with { ContextLength = Math.Min(descriptor.ContextLength, model.ContextLength) }, model, tokenizer, renderer, supportsTools, maxConcurrency);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) =>
        _renderer.Render(new ChatTemplateContext
        {
            Messages = ChatTemplateContext.FromJson(messages),
            Tools = tools is null ? null : ChatTemplateContext.FromJson(tools),
            AddGenerationPrompt = addGenerationPrompt,
            BosToken = _tokenizer.Config.BosToken,
            EosToken = _tokenizer.Config.EosToken,
        });

    /// <summary>
    /// Rendered chats already carry the template's BOS text, so only raw prompts get the tokenizer's special tokens.
    /// </summary>
    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => _tokenizer.Encode(text, addSpecialTokens: !isRenderedChat);

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sampling = ToSamplingOptions(request);
        sampling.Validate(_model.VocabSize);
        var candidates = Math.Max(request.BestOf, request.N);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            if (candidates > request.N)
            {
                // best_of: generate every candidate, keep the n with the highest mean log-probability.
                var finished = new List<(double Score, List<GenerationUpdate> Updates)>();
                for (var c = 0; c < candidates; c++)
                {
                    var updates = new List<GenerationUpdate>();
                    double sum = 0;
                    await foreach (var update in RunChoiceAsync(request, sampling, c, c, cancellationToken))
                    {
                        updates.Add(update);
                        sum += update.Logprobs?.Sum(l => l.Logprob) ?? 0;
                    }

                    var count = Math.Max(1, updates[^1].CompletionTokens);
                    finished.Add((sum / count, updates));
                }

                var index = 0;
                foreach (var (_, updates) in finished.OrderByDescending(f => f.Score).Take(request.N))
                {
                    foreach (var update in updates)
                    {
                        yield return update with { ChoiceIndex = index, Logprobs = request.TopLogprobs is null ? null : update.Logprobs };
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
        _model.Dispose();
        _slots.Dispose();
    }

    /// <summary>Runs one choice on a worker thread (ORT calls block) and streams its updates.</summary>
    private IAsyncEnumerable<GenerationUpdate> RunChoiceAsync(GenerationRequest request, SamplingOptions sampling, int choiceIndex, int stream, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<GenerationUpdate>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        _ = Task.Run(() =>
        {
            try
            {
                Decode(request, sampling, choiceIndex, stream, channel.Writer, cancellationToken);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        return channel.Reader.ReadAllAsync(cancellationToken);
    }

    private void Decode(GenerationRequest request, SamplingOptions sampling, int choiceIndex, int stream, ChannelWriter<GenerationUpdate> output, CancellationToken cancellationToken)
    {
        var prompt = request.PromptTokens;
        var parameters = new GeneratorParams(_model)
        {
            MaxLength = prompt.Count + request.MaxNewTokens,
            BatchSize = 1,
            NumBeams = 1,
            NumReturnSequences = 1,
            MinLength = 0,
            RepetitionPenalty = 1f,
            DoSample = false,
        };
        using var generator = new Generator(_model, parameters);
        var constraint = request.JsonObject ? new JsonConstraint(_tokenTexts.Value, _eosTokenIds) : null;
        var selector = new TokenSelector(sampling, _model.VocabSize, constraint, stream);
        selector.ObservePrompt(prompt.ToArray());
        var recorder = new SelectionRecorder(selector, request.TopLogprobs ?? 0);
        generator.SetTokenSelector(0, recorder);
        generator.AppendTokens(prompt.ToArray(), cancellationToken);

        var decoder = _tokenizer.CreateIncrementalDecoder(skipSpecialTokens: true);
        var stops = new StopSequenceMatcher(request.StopSequences);
        var produced = 0;
        FinishReason? finish = null;
        while (finish is null)
        {
            if (generator.IsDone)
            {
                finish = produced >= request.MaxNewTokens ? FinishReason.Length : FinishReason.Stop;
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            generator.GenerateNextToken(cancellationToken);
            var choice = recorder.LastChoice;
            produced++;
            if (Array.IndexOf(_eosTokenIds, choice.TokenId) >= 0)
            {
                finish = FinishReason.Stop;
                break;
            }

            var match = stops.Append(decoder.Append(choice.TokenId));
            var logprobs = request.TopLogprobs is null ? null : new[] { Describe(choice) };
            if (match.Stopped)
            {
                Write(output, new GenerationUpdate(choiceIndex, match.Text, [choice.TokenId], logprobs, FinishReason.Stop, produced, match.StopSequence), cancellationToken);
                return;
            }

            if (constraint?.IsComplete == true)
            {
                finish = FinishReason.Stop;
            }
            else if (produced >= request.MaxNewTokens)
            {
                finish = FinishReason.Length;
            }

            Write(output, new GenerationUpdate(choiceIndex, match.Text, [choice.TokenId], logprobs, null, produced), cancellationToken);
        }

        var tail = stops.Append(decoder.Flush());
        var rest = tail.Stopped ? tail.Text : tail.Text + stops.Flush();
        Write(output, new GenerationUpdate(choiceIndex, rest, [], null, finish, produced, tail.StopSequence), cancellationToken);
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

    private string TokenText(int id) => id < _tokenizer.VocabularySize ? _tokenizer.Decode([id]) : "";

    private string?[] BuildTokenTexts()
    {
        var texts = new string?[_model.VocabSize];
        for (var id = 0; id < texts.Length; id++)
        {
            texts[id] = id < _tokenizer.VocabularySize ? _tokenizer.Decode([id], skipSpecialTokens: true) : null;
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
