namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>
/// The host ships without the benchmarks: its own build output has no AkashML.Bench.dll, and there <c>bench</c> says
/// they are not part of the build and how to run them, as a usage error. Help still lists them, marked.
/// </summary>
public sealed class BenchBuildTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "akashml-cli-nobench-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Without_the_bench_assembly_bench_is_a_usage_error_that_says_how_to_get_it()
    {
        var host = HostBuildWithoutBench();
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(host)!, "AkashML.Bench.dll")), "AkashML.Web must not reference AkashML.Bench");

        var bench = await HostCli.RunHostAsync(host, _data, null, "bench", "engine");
        Assert.Equal(2, bench.ExitCode);
        var error = Assert.Single(bench.StderrLines);
        Assert.StartsWith("error: the benchmarks are not part of this build", error, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project bench/AkashML.Bench -c Release -- bench engine", error, StringComparison.Ordinal);

        var help = await HostCli.RunHostAsync(host, _data, null, "help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("bench engine --model DIR|ID", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("[bench build] not in this build", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_bench_assembly_beside_the_host_help_says_so()
    {
        var help = await HostCli.RunAsync(_data, "help", "bench");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("[bench build] AkashML.Bench.dll is in this build", help.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// AkashML.Web's own build output, in the configuration these tests were built with: the host as it ships, which
    /// does not reference the benchmarks (this test project copies them beside its copy of the host).
    /// </summary>
    private static string HostBuildWithoutBench()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AkashML.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"no AkashML.sln above {AppContext.BaseDirectory}");
        var outputPath = Path.GetRelativePath(Path.Combine(root.FullName, "tests", "AkashML.Web.IntegrationTests"), AppContext.BaseDirectory);
        var host = Path.Combine(root.FullName, "AkashML.Web", outputPath, "AkashML.Web.dll");
        Assert.True(File.Exists(host), $"{host} is missing: build AkashML.Web in the tests' configuration");
        return host;
    }
}
