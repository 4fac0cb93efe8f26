namespace AkashML.Tests.SharedFolder;

/// <summary>
/// Finds the shared test data: the folder AKASHML_SHARED_DIR names when it is set (a path that does not exist then
/// means "absent", so a run can hide the data), otherwise a <c>shared</c> folder beside the checkout or another
/// ancestor of the test binaries (../shared, e.g. /work/shared). A fresh clone has none: the tests that need it skip
/// with a reason that starts with <see cref="SkipPrefix"/>, and scripts/test.sh fails a run that skips one of them
/// while the folder is present.
/// </summary>
internal static class SharedTestData
{
    public const string Variable = "AKASHML_SHARED_DIR";

    /// <summary>Starts every skip reason for absent shared data; scripts/test.sh looks for it in the results.</summary>
    public const string SkipPrefix = "Needs ../shared:";

    private static readonly string[] Parts = ["models", "tokenizers", "chat_templates"];
    private static readonly Lazy<string?> Root = new(Locate);

    public static string? Directory => Root.Value;

    /// <summary>The full path of a file or folder given relative to the shared folder, or null when it is absent.</summary>
    public static string? Find(string relativePath)
    {
        if (Directory is not { } root)
        {
            return null;
        }

        var path = Path.Combine(root, relativePath);
        return System.IO.Directory.Exists(path) || File.Exists(path) ? path : null;
    }

    /// <summary>The full path of a file or folder in the shared folder; throws with the skip reason when it is absent.</summary>
    public static string PathOf(string relativePath) =>
        Find(relativePath) ?? throw new InvalidOperationException(MissingReason(relativePath));

    /// <summary>Why a test that needs <paramref name="relativePath"/> cannot run, or null when it can.</summary>
    public static string? SkipReason(string relativePath) => Find(relativePath) is null ? MissingReason(relativePath) : null;

    private static string MissingReason(string relativePath)
    {
        if (Directory is { } root)
        {
            return $"{SkipPrefix} {relativePath} is not in {root}.";
        }

        var named = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrEmpty(named)
            ? $"{SkipPrefix} {relativePath}; there is no shared folder beside the checkout (or set {Variable})."
            : $"{SkipPrefix} {relativePath}; {Variable} names {named}, which does not exist.";
    }

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return System.IO.Directory.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Parts.Any(part => System.IO.Directory.Exists(Path.Combine(candidate, part))))
            {
                return candidate;
            }
        }

        return null;
    }
}
