namespace AkashML.Inference.Tokenizers;

/// <summary>A tokenizer file is malformed or uses a feature this implementation does not support.</summary>
public sealed class TokenizerFormatException : FormatException
{
    public TokenizerFormatException()
    {
    }

    public TokenizerFormatException(string message)
        : base(message)
    {
    }

    public TokenizerFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
