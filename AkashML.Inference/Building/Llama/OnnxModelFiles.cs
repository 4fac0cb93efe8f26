using AkashML.Inference.Building.Onnx;

namespace AkashML.Inference.Building.Llama;

/// <summary>Writes model.onnx and model.onnx.data for a Llama-family decoder into a folder.</summary>
public static class OnnxModelFiles
{
    public const string ModelFileName = "model.onnx";
    public const string DataFileName = "model.onnx.data";

    /// <summary>The producer recorded in the model; no version or time, so builds are byte-for-byte reproducible.</summary>
    public const string ProducerName = "AkashML model builder";

    public static void Write(string folder, ILlamaWeights weights, WeightFormat format, CancellationToken cancellationToken, int accuracyLevel = 4)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var dataPath = Path.Combine(folder, DataFileName);
        bool hasExternalData;
        byte[] model;
        using (var external = new ExternalDataFile(dataPath, DataFileName))
        {
            var graph = new OnnxGraph("main_graph", external);
            new LlamaGraphBuilder(graph, weights, format, accuracyLevel).Build(cancellationToken);
            model = OnnxModelWriter.Serialize(graph, LlamaGraphBuilder.Opsets, ProducerName, "1");
            hasExternalData = external.Length > 0;
        }

        if (!hasExternalData)
        {
            File.Delete(dataPath);
        }

        File.WriteAllBytes(Path.Combine(folder, ModelFileName), model);
    }
}
