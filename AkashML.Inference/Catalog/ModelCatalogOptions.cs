namespace AkashML.Inference.Catalog;

/// <summary>Settings of the <c>Models</c> section: where model folders live and what users are told about them.</summary>
public sealed class ModelCatalogOptions
{
    public const string SectionName = "Models";

    /// <summary>Folder scanned for GenAI-format models (every folder holding a <c>genai_config.json</c>). Empty: <c>&lt;DataDirectory&gt;/models</c>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Extra facts per model id: display name, description, prices, context length, playground ranges.</summary>
    public Dictionary<string, ModelEntryOptions> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>USD per million input tokens for models without a configured price (non-zero so nothing is free by accident).</summary>
    public decimal DefaultInputPricePerMillion { get; set; } = 0.10m;

    /// <summary>USD per million output tokens for models without a configured price.</summary>
    public decimal DefaultOutputPricePerMillion { get; set; } = 0.20m;

    /// <summary>
    /// Cached input (prompt tokens reused from the prefix cache) costs this fraction of a model's input price, for models
    /// without their own cached-input price.
    /// </summary>
    public decimal DefaultCachedInputPriceFraction { get; set; } = ModelDescriptor.DefaultCachedInputPriceFraction;

    /// <summary>Build the offline smoke-test model <c>akashml/tiny-random</c> when the catalog is otherwise empty.</summary>
    public bool BuildTinyRandomWhenEmpty { get; set; } = true;

    /// <summary>How often the models directory is re-read, so new folders appear without a restart.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>One configured model entry.</summary>
public sealed class ModelEntryOptions
{
    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    /// <summary>Overrides the folder's <c>genai_config.json</c> context length (only smaller values make sense).</summary>
    public int? ContextLength { get; set; }

    public int? MaxOutputTokens { get; set; }

    public decimal? InputPricePerMillion { get; set; }

    public decimal? OutputPricePerMillion { get; set; }

    /// <summary>USD per million cached input tokens; absent: the input price × <see cref="ModelCatalogOptions.DefaultCachedInputPriceFraction"/>.</summary>
    public decimal? CachedInputPricePerMillion { get; set; }

    public string? Quantization { get; set; }

    /// <summary>Playground ranges, keyed by parameter name (temperature, top_p, top_k, max_tokens, …).</summary>
    public Dictionary<string, ParameterRange> Parameters { get; set; } = new(StringComparer.Ordinal);
}
