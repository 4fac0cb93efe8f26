namespace AkashML.Inference.Runtime;

/// <summary>
/// The folder is a valid GenAI model, but of an architecture this runtime does not implement (phi3's long-rope switch,
/// LFM2's convolution state, an <c>inputs_embeds</c> graph, inputs it does not know how to feed). The model host serves
/// such models with the official ONNX Runtime GenAI instead.
/// </summary>
public sealed class UnsupportedArchitectureException : ModelLoadException
{
    public UnsupportedArchitectureException()
    {
    }

    public UnsupportedArchitectureException(string message)
        : base(message)
    {
    }

    public UnsupportedArchitectureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
