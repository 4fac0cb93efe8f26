namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>
/// The shared test models (../shared/models beside the repository, e.g. /work/shared/models, or AKASHML_SHARED_DIR),
/// found by walking up from the test binaries. Tests that need them skip with <see cref="MissingReason"/> when absent.
/// </summary>
internal static class SharedModelFolders
{
    private static readonly Lazy<string?> Root = new(Locate);

    public static string? ModelsDirectory => Root.Value;

    public const string MissingReason =
        "The shared test models (../shared/models beside the repository, or AKASHML_SHARED_DIR) are not present here.";

    public static string Path(string name) =>
        System.IO.Path.Combine(ModelsDirectory ?? throw new InvalidOperationException(MissingReason), name);

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("AKASHML_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(System.IO.Path.Combine(fromEnvironment, "models")))
        {
            return System.IO.Path.Combine(fromEnvironment, "models");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "models");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact skipped (with the reason) when the shared test models are absent.</summary>
internal sealed class SharedModelFactAttribute : FactAttribute
{
    public SharedModelFactAttribute()
    {
        if (SharedModelFolders.ModelsDirectory is null)
        {
            Skip = SharedModelFolders.MissingReason;
        }
    }
}
