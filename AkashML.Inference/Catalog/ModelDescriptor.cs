namespace AkashML.Inference.Catalog;

/// <summary>What the platform tells users about a model: identity, limits, prices and playground ranges.</summary>
public sealed record ModelDescriptor
{
    /// <summary>Path of the model folder relative to the models directory, e.g. <c>karpathy/stories260K</c>.</summary>
    public required string Id { get; init; }

    public required string DisplayName { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Absolute path of the GenAI-format folder.</summary>
    public required string Path { get; init; }

    public required int ContextLength { get; init; }

    public int? MaxOutputTokens { get; init; }

    /// <summary>USD per million input tokens.</summary>
    public decimal InputPricePerMillion { get; init; }

    /// <summary>USD per million output tokens.</summary>
    public decimal OutputPricePerMillion { get; init; }

    /// <summary>Cached input costs this fraction of the input price unless the catalog says otherwise.</summary>
    public const decimal DefaultCachedInputPriceFraction = 0.10m;

    /// <summary>
    /// USD per million cached input tokens (prompt tokens whose keys and values came from the prefix cache); unset: the
    /// input price × <see cref="DefaultCachedInputPriceFraction"/>. Never above the input price when charged.
    /// </summary>
    public decimal? CachedInputPricePerMillion { get; init; }

    /// <summary>
    /// The cached-input price that applies: <see cref="CachedInputPricePerMillion"/> or its default, kept between 0 and
    /// the input price (a cached token never costs more than an uncached one).
    /// </summary>
    public decimal EffectiveCachedInputPricePerMillion =>
        Math.Max(0, Math.Min(CachedInputPricePerMillion ?? InputPricePerMillion * DefaultCachedInputPriceFraction, InputPricePerMillion));

    /// <summary>A generated random-weights model that proves the plumbing, not a useful model.</summary>
    public bool IsSmokeTest { get; init; }

    /// <summary><c>fp32</c>, <c>fp16</c>, <c>int4</c>…</summary>
    public string Quantization { get; init; } = "unknown";

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Which runtime serves the model: <see cref="ModelEngines.AkashML"/> (ours), or <see cref="ModelEngines.OnnxRuntimeGenAI"/>
    /// for architectures ours does not implement (see <see cref="EngineReason"/>).
    /// </summary>
    public string Engine { get; init; } = ModelEngines.AkashML;

    /// <summary>Why the official runtime serves it, or null when ours does.</summary>
    public string? EngineReason { get; init; }

    /// <summary>Playground ranges per parameter (temperature, top_p, top_k, max_tokens…).</summary>
    public IReadOnlyDictionary<string, ParameterRange> Parameters { get; init; } = new Dictionary<string, ParameterRange>();
}

/// <summary>The engines a model can run on, as the catalog and <c>/v1/models</c> name them.</summary>
public static class ModelEngines
{
    /// <summary>Our runtime: continuous batching, chunked prefill, every sampling feature.</summary>
    public const string AkashML = "akashml";

    /// <summary>The official ONNX Runtime GenAI (Microsoft.ML.OnnxRuntimeGenAI), for architectures ours does not implement.</summary>
    public const string OnnxRuntimeGenAI = "onnxruntime-genai";
}

/// <summary>Min, max and default of a sampling parameter as the playground shows it.</summary>
public sealed record ParameterRange(double Min, double Max, double Default);
