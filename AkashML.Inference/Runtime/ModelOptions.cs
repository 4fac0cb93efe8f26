using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>Per-model runtime settings that are not part of the model folder.</summary>
public sealed class ModelOptions
{
    /// <summary>CPU by default; CUDA or DirectML need an ORT build that has them.</summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>Extra provider options (e.g. "device_id" for CUDA), merged over the config's provider_options entry.</summary>
    public IReadOnlyDictionary<string, string> ProviderOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>Threads inside one operator; 0 keeps the config's value or else <see cref="DefaultIntraOpThreads"/>.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Half the logical processors (one per physical core where cores run two hardware threads), 1 to 16: the rule
    /// ORT GenAI applies. ORT's own default takes every logical processor, which on a small machine leaves the serving
    /// threads none and makes each short operator pay a hand-off between threads that costs more than it saves.
    /// </summary>
    public static int DefaultIntraOpThreads { get; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 16);

    /// <summary>Threads across operators; 0 keeps the config's value or ORT's default.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// How long ORT's intra-op threads spin for more work before they sleep, in microseconds; null keeps ORT's own
    /// iteration count (which keeps a core busy long after a run ends), 0 never spins. A model config's
    /// <c>session.intra_op.spin_duration_us</c> entry wins over this.
    /// </summary>
    public int? IntraOpSpinMicroseconds { get; init; }

    /// <summary>JSON merged over genai_config.json before it is read (GenAI's config overlay), or null.</summary>
    public string? ConfigOverlay { get; init; }
}
