namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// A sampling parameter is outside its allowed range. <see cref="ArgumentException.ParamName"/> holds the
/// parameter's API name (e.g. <c>top_p</c>) so the HTTP layer can report it as the offending parameter.
/// </summary>
public sealed class InvalidSamplingOptionsException : ArgumentException
{
    public InvalidSamplingOptionsException()
    {
    }

    public InvalidSamplingOptionsException(string message)
        : base(message)
    {
    }

    public InvalidSamplingOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidSamplingOptionsException(string message, string parameterName)
        : base(message, parameterName)
    {
    }
}
