using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>The model asks for an execution provider the loaded ONNX Runtime library does not have.</summary>
public sealed class ExecutionProviderUnavailableException : ModelLoadException
{
    public ExecutionProviderUnavailableException()
    {
    }

    public ExecutionProviderUnavailableException(string message)
        : base(message)
    {
    }

    public ExecutionProviderUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ExecutionProviderUnavailableException(ExecutionProvider provider, string message)
        : base(message)
    {
        Provider = provider;
    }

    public ExecutionProviderUnavailableException(ExecutionProvider provider, string message, Exception innerException)
        : base(message, innerException)
    {
        Provider = provider;
    }

    public ExecutionProvider Provider { get; }
}
