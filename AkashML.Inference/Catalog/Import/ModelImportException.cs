namespace AkashML.Inference.Catalog.Import;

/// <summary>A folder could not be imported; the message is one line naming the problem. Nothing was written.</summary>
public sealed class ModelImportException : Exception
{
    public ModelImportException()
    {
    }

    public ModelImportException(string message)
        : base(message)
    {
    }

    public ModelImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
