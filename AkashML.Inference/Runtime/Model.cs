using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>
/// A loaded GenAI-format model folder: its config and one ORT session. Holds no per-request state, so many generators
/// (each with its own KV cache) can run over one model concurrently.
/// </summary>
public sealed class Model : IDisposable
{
    private readonly OrtInferenceSession _session;
    private readonly IntPtr[] _inputNames;
    private readonly IntPtr[] _outputNames;
    private volatile bool _multiTokenContinuationFails;
    private bool? _usesGroupQueryAttention;
    private bool _disposed;

    private Model(string folder, string modelPath, GenAiConfig config, OrtInferenceSession session, DecoderSignature signature, ExecutionProvider provider)
    {
        Folder = folder;
        ModelPath = modelPath;
        Config = config;
        _session = session;
        Signature = signature;
        ExecutionProvider = provider;

        var modelConfig = config.Model!;
        EosTokenIds = [.. modelConfig.ResolvedEosTokenIds];
        PadTokenId = modelConfig.ResolvedPadTokenId;
        RunConfigEntries = ReadRunOptions(config, modelPath);

        // Fixed feed order: input_ids, attention_mask?, position_ids?, pasts...; outputs: logits, presents...
        var inputs = new List<string> { signature.InputIds };
        if (signature.AttentionMask is not null)
        {
            inputs.Add(signature.AttentionMask);
        }

        if (signature.PositionIds is not null)
        {
            inputs.Add(signature.PositionIds);
        }

        inputs.AddRange(signature.PastNames);
        _inputNames = [.. inputs.Select(Marshal.StringToCoTaskMemUTF8)];
        _outputNames = [Marshal.StringToCoTaskMemUTF8(signature.Logits), .. signature.PresentNames.Select(Marshal.StringToCoTaskMemUTF8)];
    }

    /// <summary>The model folder.</summary>
    public string Folder { get; }

    /// <summary>The decoder ONNX file.</summary>
    public string ModelPath { get; }

    public GenAiConfig Config { get; }

    public ExecutionProvider ExecutionProvider { get; }

    public string ModelType => Config.Model!.Type;

    public int VocabSize => Config.Model!.VocabSize;

    public int ContextLength => Config.Model!.ContextLength;

    /// <summary>Every id that ends a row; the first is the primary one.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    public int PadTokenId { get; }

    internal DecoderSignature Signature { get; }

    internal IReadOnlyDictionary<string, string> RunConfigEntries { get; }

    internal ReadOnlySpan<IntPtr> InputNames => _inputNames;

    internal ReadOnlySpan<IntPtr> OutputNames => _outputNames;

    /// <summary>Whether the decoder graph has a GroupQueryAttention node (read from the file once, on first use).</summary>
    internal bool UsesGroupQueryAttention => _usesGroupQueryAttention ??= GraphOpScan.Contains(ModelPath, "GroupQueryAttention");

    /// <summary>
    /// Some graphs (the builder's MultiHeadAttention path) reject a multi-token chunk on top of a non-empty past;
    /// once seen, continuation chunks of this model are fed one token at a time.
    /// </summary>
    internal bool MultiTokenContinuationFails
    {
        get => _multiTokenContinuationFails;
        set => _multiTokenContinuationFails = value;
    }

    /// <summary>
    /// Loads a GenAI-format folder. Throws <see cref="DirectoryNotFoundException"/>, <see cref="FileNotFoundException"/>,
    /// <see cref="ModelConfigException"/> (names the field), <see cref="ExecutionProviderUnavailableException"/>,
    /// <see cref="UnsupportedArchitectureException"/> (an architecture only the official GenAI runtime implements),
    /// <see cref="ModelLoadException"/> (corrupt or unsupported graph) or <see cref="OnnxRuntimeUnavailableException"/>.
    /// </summary>
    public static Model Load(string folder, ModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new ModelOptions();
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        }

        var configPath = Path.Combine(folder, GenAiConfig.FileName);
        if (File.Exists(configPath) && ArchitectureSupport.Problem(configPath) is { } unsupported)
        {
            throw new UnsupportedArchitectureException($"'{folder}' needs what this runtime does not implement: {unsupported}.");
        }

        var config = GenAiConfig.Load(configPath, options.ConfigOverlay);
        var modelPath = Path.Combine(folder, config.Model!.Decoder!.Filename);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException(
                $"The model file '{config.Model.Decoder.Filename}' named by model.decoder.filename is missing from '{folder}'.",
                modelPath);
        }

        OnnxRuntimeLibrary.EnsureAvailable();
        using var sessionOptions = BuildSessionOptions(config, options, folder, configPath);
        OrtInferenceSession session;
        try
        {
            session = OrtInferenceSession.Create(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"ONNX Runtime could not load '{modelPath}' ({ex.ErrorCode}): {ex.NativeMessage}", ex);
        }

        try
        {
            var signature = DecoderSignature.Resolve(config, session, modelPath);
            return new Model(Path.GetFullPath(folder), modelPath, config, session, signature, options.ExecutionProvider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    internal void Run(OrtRunOptions runOptions, ReadOnlySpan<IntPtr> inputs, Span<IntPtr> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _session.Run(runOptions, _inputNames.AsSpan(0, inputs.Length), inputs, _outputNames, outputs);
    }

    /// <summary>
    /// Runs the session; cancelling <paramref name="cancellationToken"/> terminates the run in flight through
    /// <paramref name="runOptions"/> (which must belong to this caller alone) and surfaces as cancellation.
    /// </summary>
    internal void Run(OrtRunOptions runOptions, ReadOnlySpan<IntPtr> inputs, Span<IntPtr> outputs, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            Run(runOptions, inputs, outputs);
            return;
        }

        var registration = cancellationToken.UnsafeRegister(static state => ((OrtRunOptions)state!).SetTerminate(), runOptions);
        try
        {
            Run(runOptions, inputs, outputs);
        }
        catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Generation was cancelled while the model was running.", ex, cancellationToken);
        }
        finally
        {
            // Dispose waits for a callback in flight, so the flag cannot be set again after the reset below.
            registration.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                runOptions.UnsetTerminate();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _session.Dispose();
        foreach (var name in _inputNames)
        {
            Marshal.FreeCoTaskMem(name);
        }

        foreach (var name in _outputNames)
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    private static OrtSessionOptions BuildSessionOptions(GenAiConfig config, ModelOptions options, string folder, string configPath)
    {
        var provider = options.ExecutionProvider;
        var providerName = ExecutionProviderCheck.OrtName(provider);
        if (!OnnxRuntimeLibrary.AvailableProviders.Contains(providerName))
        {
            throw new ExecutionProviderUnavailableException(
                provider,
                $"The {provider} execution provider ({providerName}) is not in the loaded ONNX Runtime library " +
                $"'{OnnxRuntimeLibrary.LoadedFrom}' (version {OnnxRuntimeLibrary.Version}; it has: {string.Join(", ", OnnxRuntimeLibrary.AvailableProviders)}). " +
                "Point Inference:OnnxRuntimePath at a build with that provider, or run this model on CPU.");
        }

        var sessionOptions = new OrtSessionOptions();
        try
        {
            if (options.IntraOpSpinMicroseconds is { } spin)
            {
                // Before the config's entries, so a model folder that sets its own spin keeps it.
                sessionOptions.AddConfigEntry("session.intra_op.spin_duration_us", spin.ToString(CultureInfo.InvariantCulture));
            }

            var configProviderOptions = ApplyConfigSessionOptions(sessionOptions, config, folder, configPath);
            if (options.IntraOpThreads > 0)
            {
                sessionOptions.SetIntraOpThreads(options.IntraOpThreads);
            }
            else if (!config.Model!.Decoder!.SessionOptions.ContainsKey("intra_op_num_threads"))
            {
                sessionOptions.SetIntraOpThreads(ModelOptions.DefaultIntraOpThreads);
            }

            if (options.InterOpThreads > 0)
            {
                sessionOptions.SetInterOpThreads(options.InterOpThreads);
            }

            if (provider != ExecutionProvider.Cpu)
            {
                // Only the chosen provider's entry applies; entries for other providers (webgpu, cuda on a CPU run) are skipped.
                var key = provider == ExecutionProvider.Cuda ? "cuda" : "dml";
                var merged = new Dictionary<string, string>(StringComparer.Ordinal);
                if (configProviderOptions.TryGetValue(key, out var fromConfig))
                {
                    foreach (var (k, v) in fromConfig)
                    {
                        merged[k] = v;
                    }
                }

                foreach (var (k, v) in options.ProviderOptions)
                {
                    merged[k] = v;
                }

                try
                {
                    sessionOptions.AppendExecutionProvider(provider, merged);
                }
                catch (OnnxRuntimeException ex)
                {
                    throw new ExecutionProviderUnavailableException(provider, $"The {provider} execution provider ({providerName}) could not be enabled by '{OnnxRuntimeLibrary.LoadedFrom}': {ex.NativeMessage}", ex);
                }
            }

            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>Applies genai_config's session_options; returns provider_options by lower-case provider name.</summary>
    private static Dictionary<string, Dictionary<string, string>> ApplyConfigSessionOptions(
        OrtSessionOptions target, GenAiConfig config, string folder, string configPath)
    {
        var providers = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in config.Model!.Decoder!.SessionOptions)
        {
            var field = "model.decoder.session_options." + key;
            try
            {
                switch (key)
                {
                    case "log_id":
                        target.SetLogId(String(value, field, configPath));
                        break;
                    case "intra_op_num_threads":
                        target.SetIntraOpThreads(Int(value, field, configPath));
                        break;
                    case "inter_op_num_threads":
                        target.SetInterOpThreads(Int(value, field, configPath));
                        break;
                    case "log_severity_level":
                        target.SetLogSeverityLevel(Int(value, field, configPath));
                        break;
                    case "log_verbosity_level":
                        target.SetLogVerbosityLevel(Int(value, field, configPath));
                        break;
                    case "enable_cpu_mem_arena":
                        target.SetCpuMemArena(Bool(value, field, configPath));
                        break;
                    case "enable_mem_pattern":
                        target.SetMemPattern(Bool(value, field, configPath));
                        break;
                    case "graph_optimization_level":
                        target.SetGraphOptimizationLevel(String(value, field, configPath) switch
                        {
                            "ORT_DISABLE_ALL" => 0,
                            "ORT_ENABLE_BASIC" => 1,
                            "ORT_ENABLE_EXTENDED" => 2,
                            "ORT_ENABLE_LAYOUT" => 3,
                            "ORT_ENABLE_ALL" => 99,
                            var other => throw new ModelConfigException(field, $"must be ORT_DISABLE_ALL, ORT_ENABLE_BASIC, ORT_ENABLE_EXTENDED or ORT_ENABLE_ALL, not '{other}'", configPath),
                        });
                        break;
                    case "enable_profiling":
                        if (value.ValueKind == JsonValueKind.String)
                        {
                            target.EnableProfiling(value.GetString()!);
                        }
                        else if (Bool(value, field, configPath))
                        {
                            target.EnableProfiling("onnxruntime_profile_");
                        }

                        break;
                    case "custom_ops_library":
                        var library = String(value, field, configPath);
                        target.RegisterCustomOpsLibrary(Path.IsPathRooted(library) ? library : Path.Combine(folder, library));
                        break;
                    case "provider_options":
                        ReadProviderOptions(value, field, configPath, providers);
                        break;
                    default:
                        // GenAI passes any other string entry through as a session config entry.
                        if (value.ValueKind == JsonValueKind.String)
                        {
                            target.AddConfigEntry(key, value.GetString()!);
                        }

                        break;
                }
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ModelConfigException(field, $"was rejected by ONNX Runtime: {ex.NativeMessage}", configPath, ex);
            }
        }

        return providers;
    }

    private static void ReadProviderOptions(JsonElement value, string field, string configPath, Dictionary<string, Dictionary<string, string>> providers)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ModelConfigException(field, "must be an array of { \"<provider>\": { \"key\": \"value\" } } objects", configPath);
        }

        foreach (var entry in value.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new ModelConfigException(field, "entries must be objects keyed by provider name", configPath);
            }

            foreach (var provider in entry.EnumerateObject())
            {
                var settings = new Dictionary<string, string>(StringComparer.Ordinal);
                if (provider.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var setting in provider.Value.EnumerateObject())
                    {
                        settings[setting.Name] = setting.Value.ValueKind == JsonValueKind.String
                            ? setting.Value.GetString()!
                            : setting.Value.GetRawText();
                    }
                }

                providers[provider.Name] = settings;
            }
        }
    }

    private static Dictionary<string, string> ReadRunOptions(GenAiConfig config, string configPath)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in config.Model!.Decoder!.RunOptions)
        {
            entries[key] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => throw new ModelConfigException("model.decoder.run_options." + key, "must be a string", configPath),
            };
        }

        return entries;
    }

    private static string String(JsonElement value, string field, string source) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new ModelConfigException(field, "must be a string", source);

    private static int Int(JsonElement value, string field, string source) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result) && result >= 0
            ? result
            : value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
                ? parsed
                : throw new ModelConfigException(field, "must be a non-negative integer", source);

    private static bool Bool(JsonElement value, string field, string source) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ModelConfigException(field, "must be true or false", source),
    };
}
