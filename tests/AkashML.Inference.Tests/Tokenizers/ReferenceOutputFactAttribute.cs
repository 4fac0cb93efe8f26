namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>
/// A fact that needs the reference outputs written by tests/reference/tokenize.mjs. Skipped, with a reason, when
/// AKASHML_REFERENCE_DIR is unset; when it is set the test must find its file (a missing file fails the test).
/// </summary>
public sealed class ReferenceOutputFactAttribute : FactAttribute
{
    public const string Variable = "AKASHML_REFERENCE_DIR";

    public ReferenceOutputFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: run `npm ci --prefix tests/reference && node tests/reference/tokenize.mjs <dir>` and set it to <dir>.";
        }
        else if (TokenizerTestData.SharedDirectory is null)
        {
            Skip = TokenizerTestData.MissingReason;
        }
    }
}
