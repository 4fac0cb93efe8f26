namespace AkashML.Tests.SharedFolder;

/// <summary>
/// A fact that needs a file or folder of the shared test data (relative to it, e.g. "models/llama2c-stories260K");
/// skipped at discovery, with the reason, when that is absent.
/// </summary>
internal sealed class NeedsSharedFactAttribute : FactAttribute
{
    public NeedsSharedFactAttribute(string relativePath)
    {
        Skip = SharedTestData.SkipReason(relativePath);
    }
}
