namespace AkashML.Tests.SharedFolder;

/// <summary>
/// A theory that needs a file or folder of the shared test data; skipped at discovery, with the reason, when that is
/// absent (its member data is then not enumerated, so it may read the shared folder freely).
/// </summary>
internal sealed class NeedsSharedTheoryAttribute : TheoryAttribute
{
    public NeedsSharedTheoryAttribute(string relativePath)
    {
        Skip = SharedTestData.SkipReason(relativePath);
    }
}
