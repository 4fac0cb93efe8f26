using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using Oga = Microsoft.ML.OnnxRuntimeGenAI;

namespace AkashML.Inference.Official;

/// <summary>
/// The official ONNX Runtime GenAI (Microsoft.ML.OnnxRuntimeGenAI): the reference our runtime is measured and tested
/// against, and the engine for architectures ours does not implement. It runs on the same ORT library in this process
/// (the package's <c>libonnxruntime-genai.so</c> loads the <c>libonnxruntime.so</c> beside it), so the ORT environment
/// and its telemetry setting are shared.
/// </summary>
public static class OfficialGenAi
{
    /// <summary>
    /// Loads a GenAI folder on <paramref name="provider"/>. The config's own provider list is replaced, so folders whose
    /// config names cuda or webgpu options run on CPU here, as they do in our runtime.
    /// </summary>
    public static Oga.Model Load(string folder, ExecutionProvider provider = ExecutionProvider.Cpu)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        OnnxRuntimeLibrary.EnsureAvailable();
        try
        {
            using var config = new Oga.Config(folder);
            config.ClearProviders();
            switch (provider)
            {
                case ExecutionProvider.Cpu:
                    break;
                case ExecutionProvider.Cuda:
                    config.AppendProvider("cuda");
                    break;
                case ExecutionProvider.DirectML:
                    config.AppendProvider("dml");
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown execution provider.");
            }

            return new Oga.Model(config);
        }
        catch (Oga.OnnxRuntimeGenAIException ex)
        {
            throw new ModelLoadException($"ONNX Runtime GenAI could not load '{folder}': {ex.Message}", ex);
        }
    }

    /// <summary>Greedy generator parameters for <paramref name="batchSize"/> rows up to <paramref name="maxLength"/>.</summary>
    /// <param name="minLength">Bans EOS until the sequence is this long (benchmarks use it to fix the work).</param>
    public static Oga.GeneratorParams GreedyParams(Oga.Model model, int batchSize, int maxLength, int minLength = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = new Oga.GeneratorParams(model);
        try
        {
            parameters.SetSearchOption("batch_size", batchSize);
            parameters.SetSearchOption("max_length", maxLength);
            parameters.SetSearchOption("min_length", minLength);
            parameters.SetSearchOption("do_sample", false);
            return parameters;
        }
        catch
        {
            parameters.Dispose();
            throw;
        }
    }
}
