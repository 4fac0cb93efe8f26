namespace AkashML.Inference.Tests.Building;

/// <summary>Finds ../shared (test models) beside the repository, or AKASHML_SHARED_DIR.</summary>
internal static class SharedData
{
    public static string? Directory => SharedTestData.Directory;

    public static string? Stories260K => Directory is null ? null : Existing(Path.Combine(Directory, "models", "llama2c-stories260K"));

    public static string SkipReason => "../shared/models/llama2c-stories260K is absent (set AKASHML_SHARED_DIR to the shared folder).";

    private static string? Existing(string path) => System.IO.Directory.Exists(path) ? path : null;


}

/// <summary>A fact that needs the shared stories260K model and skips with the reason when it is absent.</summary>
public sealed class Stories260KFactAttribute : FactAttribute
{
    public Stories260KFactAttribute()
    {
        if (SharedData.Stories260K is null)
        {
            Skip = SharedData.SkipReason;
        }
    }
}
