using System.Text.Json;
using AkashML.Inference.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Catalog;

/// <summary>
/// The models in the models directory, each described by its folder and its configuration entry. Re-reads the
/// directory at most every <see cref="ModelCatalogOptions.RescanInterval"/>, so added folders appear without a restart.
/// </summary>
public sealed class ModelCatalog(IOptions<ModelCatalogOptions> options, ModelDirectory directory, TimeProvider clock, ILogger<ModelCatalog> logger)
{
    /// <summary>The built-in smoke-test model's id.</summary>
    public const string TinyRandomId = "akashml/tiny-random";

    /// <summary>Answer length cap of the smoke-test model unless configured otherwise.</summary>
    public const int SmokeTestMaxOutputTokens = 256;

    private readonly Lock _gate = new();
    private IReadOnlyList<ModelDescriptor> _models = [];
    private DateTimeOffset _scannedAt = DateTimeOffset.MinValue;

    public string ModelsDirectory => directory.Path;

    public IReadOnlyList<ModelDescriptor> List()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (now - _scannedAt >= options.Value.RescanInterval)
            {
                _models = Scan();
                _scannedAt = now;
            }

            return _models;
        }
    }

    /// <summary>A model by id; Claude Code's <c>--</c> spelling of <c>/</c> is accepted.</summary>
    public ModelDescriptor? Find(string id)
    {
        var models = List();
        return models.FirstOrDefault(m => m.Id == id)
            ?? models.FirstOrDefault(m => m.Id == id.Replace("--", "/", StringComparison.Ordinal));
    }

    /// <summary>Forces the next <see cref="List"/> to re-read the directory.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _scannedAt = DateTimeOffset.MinValue;
        }
    }

    private List<ModelDescriptor> Scan()
    {
        var root = directory.Path;
        if (!System.IO.Directory.Exists(root))
        {
            return [];
        }

        var models = new List<ModelDescriptor>();
        foreach (var config in System.IO.Directory.EnumerateFiles(root, "genai_config.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }))
        {
            var folder = Path.GetDirectoryName(config)!;
            var id = Path.GetRelativePath(root, folder).Replace('\\', '/');
            if (id == "." || id.Split('/').Any(part => part.StartsWith('.')))
            {
                // Hidden folders are builds and downloads in progress.
                continue;
            }

            try
            {
                models.Add(Describe(id, folder, config));
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                logger.LogWarning("Skipping model folder {Folder}: {Reason}", folder, ex.Message);
            }
        }

        models.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return models;
    }

    private ModelDescriptor Describe(string id, string folder, string configPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(configPath));
        var model = document.RootElement.TryGetProperty("model", out var m) ? m : default;
        var contextLength = model.ValueKind == JsonValueKind.Object && model.TryGetProperty("context_length", out var c) && c.TryGetInt32(out var length) ? length : 2048;
        options.Value.Entries.TryGetValue(id, out var entry);
        var smoke = id == TinyRandomId;
        var unsupported = ArchitectureSupport.Problem(configPath);
        return new ModelDescriptor
        {
            Engine = unsupported is null ? ModelEngines.AkashML : ModelEngines.OnnxRuntimeGenAI,
            EngineReason = unsupported,
            Id = id,
            Path = folder,
            DisplayName = entry?.DisplayName ?? (smoke ? "Tiny random (smoke test)" : id[(id.LastIndexOf('/') + 1)..]),
            Description = entry?.Description ?? (smoke
                ? "A tiny model with random weights, built on first start so every feature works offline. Its output is gibberish."
                : ""),
            ContextLength = entry?.ContextLength is { } configured ? Math.Min(configured, contextLength) : contextLength,
            // The smoke-test model rarely samples its end token: cap its answers so clients are not kept waiting.
            MaxOutputTokens = entry?.MaxOutputTokens ?? (smoke ? SmokeTestMaxOutputTokens : null),
            InputPricePerMillion = entry?.InputPricePerMillion ?? options.Value.DefaultInputPricePerMillion,
            OutputPricePerMillion = entry?.OutputPricePerMillion ?? options.Value.DefaultOutputPricePerMillion,
            CachedInputPricePerMillion = entry?.CachedInputPricePerMillion
                ?? (entry?.InputPricePerMillion ?? options.Value.DefaultInputPricePerMillion) * options.Value.DefaultCachedInputPriceFraction,
            IsSmokeTest = smoke,
            Quantization = entry?.Quantization ?? GuessQuantization(id, model),
            CreatedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(configPath), TimeSpan.Zero),
            Parameters = entry?.Parameters ?? new Dictionary<string, ParameterRange>(),
        };
    }

    private static string GuessQuantization(string id, JsonElement model)
    {
        if (id.Contains("int4", StringComparison.OrdinalIgnoreCase))
        {
            return "int4";
        }

        if (id.Contains("fp16", StringComparison.OrdinalIgnoreCase))
        {
            return "fp16";
        }

        return model.ValueKind == JsonValueKind.Object && model.TryGetProperty("quantization", out var q) && q.ValueKind == JsonValueKind.String
            ? q.GetString()!
            : "fp32";
    }
}

/// <summary>The resolved models directory (configured, or <c>&lt;DataDirectory&gt;/models</c>).</summary>
public sealed record ModelDirectory(string Path);
