namespace AkashML.Inference.Serving;

/// <summary>
/// The request asks for something the model's engine cannot give (e.g. log-probabilities from the official GenAI
/// runtime). <see cref="Parameter"/> is the API parameter, so the HTTP layer answers 400 naming it.
/// </summary>
public sealed class UnsupportedGenerationFeatureException : Exception
{
    public UnsupportedGenerationFeatureException()
    {
    }

    public UnsupportedGenerationFeatureException(string message)
        : base(message)
    {
    }

    public UnsupportedGenerationFeatureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnsupportedGenerationFeatureException(string message, string parameter)
        : base(message)
    {
        Parameter = parameter;
    }

    /// <summary>The request parameter that asked for it (e.g. <c>logprobs</c>).</summary>
    public string? Parameter { get; }
}
