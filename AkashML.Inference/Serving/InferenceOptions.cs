using System.ComponentModel.DataAnnotations;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Serving;

/// <summary>Settings of the <c>Inference</c> section: the ONNX Runtime library and how models run.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>Default of <see cref="PrefillChunkTokens"/>.</summary>
    public const int DefaultPrefillChunkTokens = 512;

    /// <summary>
    /// Path of the ONNX Runtime library (the file, or its folder); empty uses the one the NuGet package placed beside the
    /// application (ORT 1.32; CPU, or CUDA when built with <c>-p:AkashMLOnnxRuntimeGpu=true</c>). Applied when the
    /// services are registered, before anything can load the library.
    /// </summary>
    public string OnnxRuntimePath { get; set; } = "";

    /// <summary>Lets ONNX Runtime record its telemetry events. Off unless an operator turns it on.</summary>
    public bool OnnxRuntimeTelemetry { get; set; }

    /// <summary>Execution provider for models without their own: Cpu, Cuda or DirectML.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>Per-model execution provider, keyed by model id.</summary>
    public Dictionary<string, ExecutionProvider> ModelExecutionProviders { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Threads ORT uses inside one operator (0 = the model config's value, else half the logical processors, 1 to 16).</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>Threads ORT uses across operators (0 = ORT's default).</summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }

    /// <summary>
    /// How long ORT's intra-op threads spin for more work before sleeping, in microseconds (0 = never spin, -1 = ORT's
    /// built-in count). ORT's own count keeps a core spinning for about a millisecond after every run, which a serving
    /// host pays on each short request; a short spin still covers the gap between the decode steps of one batch.
    /// </summary>
    [Range(-1, 1_000_000)]
    public int IntraOpSpinMicroseconds { get; set; } = 100;

    /// <summary>The runtime settings for one model: its execution provider and the thread settings above.</summary>
    public ModelOptions ModelOptionsFor(string? modelId) => new()
    {
        ExecutionProvider = modelId is not null && ModelExecutionProviders.TryGetValue(modelId, out var specific) ? specific : ExecutionProvider,
        IntraOpThreads = IntraOpThreads,
        InterOpThreads = InterOpThreads,
        IntraOpSpinMicroseconds = IntraOpSpinMicroseconds < 0 ? null : IntraOpSpinMicroseconds,
    };

    /// <summary>
    /// Requests one model decodes at the same time on their own generators; later ones queue. Batched requests are
    /// limited by <see cref="MaxBatchSize"/> instead.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentRequestsPerModel { get; set; } = 4;

    /// <summary>
    /// Sequences (choices) one model decodes together in shared steps, where the model allows it (GroupQueryAttention
    /// with a shared KV buffer); more wait for a free slot. 1 turns batching off. Each slot keeps its own KV cache.
    /// </summary>
    [Range(1, 256)]
    public int MaxBatchSize { get; set; } = 8;

    /// <summary>
    /// Batched models read a prompt longer than this in chunks of this many tokens, one chunk per scheduler iteration,
    /// so sequences already decoding keep getting tokens while a long prompt is prefilled (and one run never needs the
    /// whole prompt's activations). Prompts up to this size run at once. 0 reads every prompt in one run.
    /// </summary>
    [Range(0, 1 << 20)]
    public int PrefillChunkTokens { get; set; } = DefaultPrefillChunkTokens;

    /// <summary>The prefix cache: KV blocks of recent prompt prefixes each model keeps and reuses (see <see cref="PrefixCacheOptions"/>).</summary>
    public PrefixCacheOptions PrefixCache { get; set; } = new();
}
