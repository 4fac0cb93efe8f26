namespace AkashML.Inference.Generation;

/// <summary>The tokens would not fit: prompt (plus what is already in the sequence) is longer than max_length.</summary>
public sealed class ContextLengthExceededException : ArgumentException
{
    public ContextLengthExceededException()
    {
    }

    public ContextLengthExceededException(string message)
        : base(message)
    {
    }

    public ContextLengthExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ContextLengthExceededException(int requestedLength, int maxLength, string message)
        : base(message)
    {
        RequestedLength = requestedLength;
        MaxLength = maxLength;
    }

    /// <summary>Tokens per row the call would have produced.</summary>
    public int RequestedLength { get; }

    /// <summary>The generator's max_length.</summary>
    public int MaxLength { get; }
}
