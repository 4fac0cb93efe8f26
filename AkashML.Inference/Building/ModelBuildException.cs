namespace AkashML.Inference.Building;

/// <summary>A model could not be built from the given input; the message is one line naming the problem.</summary>
public sealed class ModelBuildException : Exception
{
    public ModelBuildException()
    {
    }

    public ModelBuildException(string message)
        : base(message)
    {
    }

    public ModelBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
