namespace AkashML.Inference.Runtime;

/// <summary>A model folder could not be turned into a runnable session (corrupt graph, unsupported signature, provider).</summary>
public class ModelLoadException : Exception
{
    public ModelLoadException()
    {
    }

    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
