using System.Reflection;

namespace AkashML.Web.Cli;

/// <summary>
/// The <c>bench</c> verbs' assembly, AkashML.Bench.dll: not referenced by the host, so a published host ships without
/// it. Loaded from beside the host (a build of bench/AkashML.Bench, or a test folder that copies it there) into the
/// default load context, where it shares the host's own assemblies.
/// </summary>
internal static class BenchAssembly
{
    public const string Name = "AkashML.Bench";

    private static string FilePath => Path.Combine(AppContext.BaseDirectory, Name + ".dll");

    /// <summary>Whether this build has the benchmarks (help says so).</summary>
    public static bool Present => Loaded() is not null || File.Exists(FilePath);

    /// <summary>The hint for running a benchmark when this build has none.</summary>
    public static string HowToRun(string? sub) =>
        $"dotnet run --project bench/{Name} -c Release -- bench {sub ?? "engine"} ...";

    /// <summary>The benchmarks' verbs.</summary>
    /// <exception cref="CommandLineException">This build does not include the benchmarks.</exception>
    public static ICliVerbs Load(string? sub)
    {
        var assembly = Loaded()
            ?? (File.Exists(FilePath)
                ? Assembly.LoadFrom(FilePath)
                : throw new CommandLineException(
                    $"the benchmarks are not part of this build ({Name}.dll is not in {AppContext.BaseDirectory}); from a checkout, run them with `{HowToRun(sub)}`"));
        var type = assembly.GetCustomAttribute<CliVerbsAttribute>()?.Verbs
            ?? throw new InvalidOperationException($"{assembly.Location} does not name its verbs ([assembly: CliVerbs(...)])");
        return (ICliVerbs)Activator.CreateInstance(type)!;
    }

    /// <summary>Already loaded when it is the entry assembly (run as bench/AkashML.Bench) or was loaded before.</summary>
    private static Assembly? Loaded() =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == Name);
}
