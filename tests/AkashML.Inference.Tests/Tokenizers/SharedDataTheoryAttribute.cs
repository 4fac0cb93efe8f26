namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>A theory that is skipped, with a reason, when the shared tokenizer fixtures are absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (TokenizerTestData.SharedDirectory is null)
        {
            Skip = TokenizerTestData.MissingReason;
        }
    }
}
