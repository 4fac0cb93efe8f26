namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>A fact that is skipped, with a reason, when the shared tokenizer fixtures are absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (TokenizerTestData.SharedDirectory is null)
        {
            Skip = TokenizerTestData.MissingReason;
        }
    }
}
