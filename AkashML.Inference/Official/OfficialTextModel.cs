using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AkashML.Inference.Catalog;
using AkashML.Inference.ChatTemplates;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using AkashML.Inference.Tokenizers;
using Oga = Microsoft.ML.OnnxRuntimeGenAI;

namespace AkashML.Inference.Official;

/// <summary>
/// A model served by the official ONNX Runtime GenAI, for architectures our runtime does not implement. Prompt side
/// (tokenizer, chat template) and text side (incremental UTF-8 decoding, stop sequences, finish reasons) are ours, so
/// the APIs, metering and billing treat it like any model; token selection is GenAI's own search: greedy, or sampling
/// with temperature, top_k, top_p, repetition_penalty and a seed. What that search cannot do (log-probabilities,
/// logit_bias, frequency/presence penalties, min_p, JSON mode, best_of) is refused by
/// <see cref="EnsureSupported"/>. Requests do not batch: at most <c>maxConcurrency</c> decode at once, each on its own
/// GenAI generator; cancellation is checked between decode steps.
/// </summary>
public sealed class OfficialTextModel : ITextModel, IDisposable
{
    private readonly Oga.Model _model;
    private readonly ChatPrompt _prompt;
    private readonly SemaphoreSlim _slots;
    private readonly int[] _eosTokenIds;
    private readonly int _vocabSize;

    private OfficialTextModel(ModelDescriptor descriptor, Oga.Model model, ChatPrompt prompt, int[] eosTokenIds, int vocabSize, int maxConcurrency)
    {
        Descriptor = descriptor;
        _model = model;
        _prompt = prompt;
        _eosTokenIds = eosTokenIds;
        _vocabSize = vocabSize;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public ModelDescriptor Descriptor { get; }

    public ITokenizer Tokenizer => _prompt.Tokenizer;

    public bool SupportsTools => _prompt.SupportsTools;

    /// <summary>Loads <paramref name="descriptor"/>'s folder with the official runtime; its descriptor names that engine.</summary>
    public static OfficialTextModel Load(ModelDescriptor descriptor, ModelOptions options, int maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var config = GenAiConfig.Load(Path.Combine(descriptor.Path, GenAiConfig.FileName));
        var model = OfficialGenAi.Load(descriptor.Path, options.ExecutionProvider);
        try
        {
            var prompt = ChatPrompt.FromDirectory(descriptor.Path);
            var served = descriptor with
            {
                ContextLength = Math.Min(descriptor.ContextLength, config.Model!.ContextLength),
                Engine = ModelEngines.OnnxRuntimeGenAI,
            };
            return new OfficialTextModel(served, model, prompt, [.. config.Model.ResolvedEosTokenIds], config.Model.VocabSize, maxConcurrency);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) => _prompt.Render(messages, tools, addGenerationPrompt);

    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => _prompt.Encode(text, isRenderedChat);

    public void EnsureSupported(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refused = request switch
        {
            { TopLogprobs: not null } => ("logprobs", "log-probabilities"),
            { LogitBias.Count: > 0 } => ("logit_bias", "logit_bias"),
            { FrequencyPenalty: not 0 } => ("frequency_penalty", "frequency_penalty"),
            { PresencePenalty: not 0 } => ("presence_penalty", "presence_penalty"),
            { MinP: not 0 } => ("min_p", "min_p"),
            { JsonObject: true } => ("response_format", "JSON mode (response_format json_object)"),
            { Grammar: { } grammar } => (grammar.Parameter, "structured outputs (a json_schema response format or strict tools)"),
            _ when request.BestOf > request.N => ("best_of", "best_of"),
            _ => default((string Parameter, string Feature)?),
        };
        if (refused is { } r)
        {
            throw new UnsupportedGenerationFeatureException(
                $"Model '{Descriptor.Id}' runs on the official ONNX Runtime GenAI engine ({Descriptor.EngineReason ?? "its architecture needs it"}), which does not support {r.Feature}.",
                r.Parameter);
        }
    }

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureSupported(request);
        var sampling = new SamplingOptions
        {
            Temperature = (float)request.Temperature,
            TopK = request.TopK,
            TopP = (float)request.TopP,
            RepetitionPenalty = (float)request.RepetitionPenalty,
            Seed = request.Seed,
        };
        sampling.Validate(_vocabSize);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            for (var choice = 0; choice < request.N; choice++)
            {
                await foreach (var update in RunChoiceAsync(request, choice, cancellationToken))
                {
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

    /// <summary>
    /// Runs one choice on a thread of its own (GenAI calls block, and so does waiting for a slow reader) and streams its
    /// updates; a thread-pool thread would be held by the blocked loop while the readers that unblock it need the pool.
    /// </summary>
    private IAsyncEnumerable<GenerationUpdate> RunChoiceAsync(GenerationRequest request, int choiceIndex, CancellationToken cancellationToken) =>
        DecodeThread.Start(writer => Decode(request, choiceIndex, writer, cancellationToken), cancellationToken);

    private void Decode(GenerationRequest request, int choiceIndex, ChannelWriter<GenerationUpdate> output, CancellationToken cancellationToken)
    {
        var prompt = request.PromptTokens.ToArray();
        var greedy = request.Temperature == 0 || request.TopK == 1;
        using var parameters = OfficialGenAi.GreedyParams(_model, batchSize: 1, maxLength: prompt.Length + request.MaxNewTokens);
        parameters.SetSearchOption("repetition_penalty", request.RepetitionPenalty);
        if (!greedy)
        {
            parameters.SetSearchOption("do_sample", true);
            parameters.SetSearchOption("temperature", request.Temperature);
            parameters.SetSearchOption("top_p", request.TopP);
            // GenAI's default top_k is 50; 0 here means "no top-k", i.e. the whole vocabulary.
            parameters.SetSearchOption("top_k", request.TopK > 0 ? request.TopK : _vocabSize);
            if (request.Seed is { } seed)
            {
                // Each choice its own stream of the same seed, so n choices differ and a seed repeats them.
                parameters.SetSearchOption("random_seed", (double)((seed + choiceIndex) & int.MaxValue));
            }
        }

        using var generator = new Oga.Generator(_model, parameters);
        var text = new ChoiceOutput(request, choiceIndex, _prompt.Tokenizer.CreateIncrementalDecoder(skipSpecialTokens: true), _eosTokenIds, constraint: null,
            _ => throw new InvalidOperationException("log-probabilities are refused before generation"));
        var updates = new List<GenerationUpdate>(2);
        cancellationToken.ThrowIfCancellationRequested();
        generator.AppendTokens(prompt);
        while (!text.IsFinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (generator.IsDone())
            {
                Write(output, text.Finish(text.Produced >= request.MaxNewTokens ? FinishReason.Length : FinishReason.Stop), cancellationToken);
                break;
            }

            generator.GenerateNextToken();
            var token = generator.GetNextTokens()[0];
            updates.Clear();
            text.Accept(new TokenChoice(token, 0, []), updates.Add);
            foreach (var update in updates)
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
}
