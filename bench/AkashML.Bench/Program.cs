using AkashML.Web;
using AkashML.Web.Hosting;

namespace AkashML.Bench;

/// <summary>
/// The host itself, with this assembly beside it, so its <c>bench</c> verb finds the benchmarks already loaded. A
/// named class rather than top-level statements: a global <c>Program</c> would clash with the host's in test projects
/// that reference both.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => HostEntry.RunAsync(args);
}
