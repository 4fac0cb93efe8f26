namespace AkashML.Inference.Native;

/// <summary>The ONNX Runtime native library could not be loaded or lacks the API version we need.</summary>
public sealed class OnnxRuntimeUnavailableException : InvalidOperationException
{
    public OnnxRuntimeUnavailableException()
    {
    }

    public OnnxRuntimeUnavailableException(string message)
        : base(message)
    {
    }

    public OnnxRuntimeUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
