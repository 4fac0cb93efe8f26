using System.Collections.Concurrent;

namespace AkashML.Inference.Native;

/// <summary>
/// Whether the loaded ONNX Runtime library can run an execution provider: it must be compiled in, and (for CUDA and
/// DirectML) appending it to session options must succeed, which loads the provider's own library and its CUDA/DirectX
/// dependencies. Checked once per provider, at host start, so a missing GPU stack is a startup error naming the
/// provider instead of a failure at the first request.
/// </summary>
public static class ExecutionProviderCheck
{
    private static readonly ConcurrentDictionary<ExecutionProvider, string?> Problems = new();

    /// <summary>ORT's name of the provider, as <c>GetAvailableProviders</c> lists it.</summary>
    public static string OrtName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => "CPUExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        ExecutionProvider.DirectML => "DmlExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown execution provider."),
    };

    /// <summary>Why <paramref name="provider"/> cannot be used with the loaded library, or null when it can.</summary>
    public static string? Problem(ExecutionProvider provider)
    {
        if (!OnnxRuntimeLibrary.IsSupported)
        {
            return OnnxRuntimeLibrary.NotSupportedReason;
        }

        return provider == ExecutionProvider.Cpu ? null : Problems.GetOrAdd(provider, Probe);
    }

    private static string? Probe(ExecutionProvider provider)
    {
        var name = OrtName(provider);
        var library = $"the ONNX Runtime library '{OnnxRuntimeLibrary.LoadedFrom}' (version {OnnxRuntimeLibrary.Version})";
        if (!OnnxRuntimeLibrary.AvailableProviders.Contains(name))
        {
            return $"the {provider} execution provider ({name}) is not in {library}; it has: " +
                   $"{string.Join(", ", OnnxRuntimeLibrary.AvailableProviders)}. " +
                   (provider == ExecutionProvider.Cuda
                       ? "Build with -p:AkashMLOnnxRuntimeGpu=true (Microsoft.ML.OnnxRuntime.Gpu.Linux) or set Inference:OnnxRuntimePath to a CUDA build."
                       : "Set Inference:OnnxRuntimePath to a build that has it.");
        }

        try
        {
            using var options = new OrtSessionOptions();
            options.AppendExecutionProvider(provider, new Dictionary<string, string>(StringComparer.Ordinal));
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            return $"the {provider} execution provider ({name}) of {library} could not be started: {ex.NativeMessage}";
        }
    }
}
