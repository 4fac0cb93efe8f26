namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>
/// The ops CLI explains itself (<c>help</c>, <c>--help</c>) and refuses options a verb does not take instead of
/// ignoring them: a mistyped <c>--emial</c> or a <c>--help</c> must never run the command with defaults.
/// </summary>
public sealed class HelpAndOptionsTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "akashml-cli-help-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Help_lists_every_verb_and_help_for_a_verb_lists_its_sub_commands()
    {
        var all = await HostCli.RunAsync(_data, "help");
        Assert.True(all.ExitCode == 0, all.ToString());
        foreach (var line in new[] { "migrate", "users create --email E", "keys roll ID", "credits grant", "models pull", "bench engine", "bench api", "bench gateway", "bench backends", "bench usage", "bench tokenizer", "bench binding" })
        {
            Assert.Contains(line, all.Stdout, StringComparison.Ordinal);
        }

        var bench = await HostCli.RunAsync(_data, "bench", "api", "--help");
        Assert.True(bench.ExitCode == 0, bench.ToString());
        Assert.Contains("bench api [--clients 1,8,64]", bench.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("keys create", bench.Stdout, StringComparison.Ordinal);
        // Help only prints: nothing was benchmarked, so no database was created.
        Assert.False(File.Exists(Path.Combine(_data, "akashml.db")), "--help must not run the benchmark");
    }

    [Fact]
    public async Task An_option_the_verb_does_not_take_is_an_error_that_names_the_ones_it_does()
    {
        var typo = await HostCli.RunAsync(_data, "credits", "show", "--emial", "a@b.test");
        Assert.Equal(2, typo.ExitCode);
        Assert.Equal("error: 'credits show' does not take --emial; it takes --email", Assert.Single(typo.StderrLines));

        var none = await HostCli.RunAsync(_data, "migrate", "--force");
        Assert.Equal(2, none.ExitCode);
        Assert.Equal("error: 'migrate' does not take --force; it takes no options", Assert.Single(none.StderrLines));

        // Host settings ride along on any verb.
        var settings = await HostCli.RunAsync(_data, "migrate", "--Logging:LogLevel:Default=Warning");
        Assert.True(settings.ExitCode == 0, settings.ToString());
    }

    [Fact]
    public async Task Unknown_verbs_point_at_help()
    {
        var unknown = await HostCli.RunAsync(_data, "help", "frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("error: unknown command 'frobnicate'; run 'help' for the list", Assert.Single(unknown.StderrLines));
    }
}
