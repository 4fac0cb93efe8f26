namespace AkashML.Inference.Tests;

/// <summary>
/// Finds the shared test data (../shared beside the repository, e.g. /work/shared) by walking up from the test binaries,
/// or through AKASHML_SHARED_DIR. Tests that need it skip with <see cref="MissingReason"/> when it is absent.
/// </summary>
internal static class SharedTestData
{
    private static readonly Lazy<string?> Root = new(Locate);

    public static string? Directory => Root.Value;

    public static string? ModelsDirectory =>
        Directory is { } root && System.IO.Directory.Exists(Path.Combine(root, "models")) ? Path.Combine(root, "models") : null;

    public static string MissingReason =>
        "The shared test models (../shared/models beside the repository, or AKASHML_SHARED_DIR) are not present here.";

    public static string ModelPath(string name) =>
        Path.Combine(ModelsDirectory ?? throw new InvalidOperationException(MissingReason), name);

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("AKASHML_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment) && System.IO.Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (new[] { "models", "tokenizers", "chat_templates" }.Any(part => System.IO.Directory.Exists(Path.Combine(candidate, part))))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped (with the reason) when the shared test models are absent.</summary>
internal sealed class SharedModelsFactAttribute : FactAttribute
{
    public SharedModelsFactAttribute()
    {
        if (SharedTestData.ModelsDirectory is null)
        {
            Skip = SharedTestData.MissingReason;
        }
    }
}

/// <summary>A theory that is skipped (with the reason) when the shared test models are absent.</summary>
internal sealed class SharedModelsTheoryAttribute : TheoryAttribute
{
    public SharedModelsTheoryAttribute()
    {
        if (SharedTestData.ModelsDirectory is null)
        {
            Skip = SharedTestData.MissingReason;
        }
    }
}
