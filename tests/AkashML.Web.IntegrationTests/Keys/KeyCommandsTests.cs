using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Cli;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>The <c>keys</c> and <c>bench gateway</c> verbs, run as an operator runs them.</summary>
public sealed class KeyCommandsTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "akashml-keys-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Keys_roll_prints_only_the_new_secret_and_keeps_the_key_and_its_limits()
    {
        var email = AccountFlows.NewEmail("cli");
        Assert.Equal(0, (await HostCli.RunAsync(_data, "users", "create", "--email", email)).ExitCode);
        var created = await HostCli.RunAsync(_data, "keys", "create", "--email", email, "--name", "ci", "--rpm", "5", "--concurrency", "2");
        Assert.Equal(0, created.ExitCode);
        var first = Assert.Single(created.StdoutLines);
        var id = (await ListAsync(email)).Single()[0];

        var rolled = await HostCli.RunAsync(_data, "keys", "roll", id, "--grace", "1.5");
        Assert.Equal(0, rolled.ExitCode);
        var second = Assert.Single(rolled.StdoutLines);
        Assert.True(ApiKeySecret.HasValidShape(second), second);
        Assert.NotEqual(first, second);
        var row = (await ListAsync(email)).Single();
        Assert.Equal(id, row[0]);
        Assert.Equal("ci", row[1]);
        Assert.Equal(ApiKeySecret.Prefix + "…" + second[^4..], row[2]);
        Assert.Equal(("5", "2"), (row[7], row[9]));

        foreach (var (args, message) in new[]
        {
            (new[] { "keys", "roll", id, "--grace", "25" }, "--grace must be a number of hours from 0 to 24"),
            (new[] { "keys", "roll", id, "--grace", "-1" }, "--grace must be a number of hours from 0 to 24"),
            (new[] { "keys", "roll", id, "--grace", "soon" }, "--grace must be a number of hours from 0 to 24"),
            (new[] { "keys", "roll", "not-an-id" }, "usage: keys roll ID"),
            (new[] { "keys", "roll", Guid.NewGuid().ToString() }, "no key with id"),
        })
        {
            var refused = await HostCli.RunAsync(_data, args);
            Assert.Equal(2, refused.ExitCode);
            Assert.Empty(refused.Stdout);
            Assert.Contains(message, refused.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(0, (await HostCli.RunAsync(_data, "keys", "revoke", id)).ExitCode);
        var revoked = await HostCli.RunAsync(_data, "keys", "roll", id);
        Assert.Equal(2, revoked.ExitCode);
        Assert.Contains("revoked", revoked.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_create_and_edit_take_a_budget_and_allowed_models_and_refuse_bad_values_by_name()
    {
        var email = AccountFlows.NewEmail("cli-budget");
        var models = new Dictionary<string, string?> { ["Models__Directory"] = await SharedModels.DirectoryAsync() };
        Assert.Equal(0, (await HostCli.RunAsync(_data, "users", "create", "--email", email)).ExitCode);
        foreach (var (args, message) in new[]
        {
            (new[] { "--budget-usd", "-5" }, "--budget-usd must be zero or more USD, got -5"),
            (new[] { "--budget-usd", "five" }, "--budget-usd must be an amount in USD such as 5 or 2.50, got 'five'"),
            (new[] { "--budget-usd", "0.0000001" }, "--budget-usd must have at most six decimals"),
            (new[] { "--budget-usd", "5", "--budget-period", "yearly" }, "--budget-period must be none, daily, weekly or monthly, got 'yearly'"),
            (new[] { "--budget-period", "daily" }, "a budget period needs a budget amount"),
            (new[] { "--models", "akashml/tiny-random,nobody/nothing" }, "allowed models: no model has the id 'nobody/nothing'"),
        })
        {
            var refused = await HostCli.RunAsync(_data, models, ["keys", "create", "--email", email, "--name", "bad", .. args]);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Empty(refused.Stdout);
            Assert.Contains(message, refused.Stderr, StringComparison.Ordinal);
        }

        Assert.Empty(await ListAsync(email));
        var created = await HostCli.RunAsync(_data, models, "keys", "create", "--email", email, "--name", "capped", "--budget-usd", "5", "--models", "akashml--tiny-random");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(ApiKeySecret.HasValidShape(Assert.Single(created.StdoutLines)));
        var row = (await ListAsync(email)).Single();
        Assert.Equal(["5.00", "monthly", "0.00", "akashml/tiny-random"], row[10..]);

        var edited = await HostCli.RunAsync(_data, models, "keys", "edit", row[0], "--budget-usd", "2.5", "--budget-period", "weekly", "--models", "all", "--rpm", "30");
        Assert.True(edited.ExitCode == 0, edited.ToString());
        row = (await ListAsync(email)).Single();
        Assert.Equal(("capped", "30"), (row[1], row[7]));
        Assert.Equal(["2.50", "weekly", "0.00", "all"], row[10..]);

        var refusedEdit = await HostCli.RunAsync(_data, "keys", "edit", row[0], "--budget-usd", "-1");
        Assert.Equal(2, refusedEdit.ExitCode);
        Assert.Contains("--budget-usd must be zero or more USD", refusedEdit.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await HostCli.RunAsync(_data, "keys", "edit", row[0], "--budget-usd", "none")).ExitCode);
        Assert.Equal(["-", "-", "-", "all"], (await ListAsync(email)).Single()[10..]);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Bench_gateway_reports_the_gateway_time_of_every_request(DatabaseKind kind)
    {
        // Generating requests: every check runs, the token reservation included.
        string[] args = ["bench", "gateway", "--clients", "4", "--requests", "60", "--warmup", "5", "--endpoint", "completions", "--json"];
        if (kind == DatabaseKind.Postgres)
        {
            args = [.. args, "--postgres", PostgresEnvironment.RequireConnectionString()];
        }

        var result = await HostCli.RunAsync(_data, args);
        Assert.Equal(0, result.ExitCode);
        var report = JsonNode.Parse(Assert.Single(result.StdoutLines))!;
        Assert.Equal(kind == DatabaseKind.Postgres ? "postgres" : "sqlite", report["database"]!.GetValue<string>());
        Assert.Equal(0, report["failed"]!.GetValue<int>());
        foreach (var measure in new[] { "gateway_ms", "auth_ms", "limits_ms", "request_ms" })
        {
            Assert.Equal(60, report[measure]!["count"]!.GetValue<int>());
            Assert.True(report[measure]!["p50"]!.GetValue<double>() <= report[measure]!["p99"]!.GetValue<double>());
        }

        // The gateway's share is part of each request's time.
        Assert.True(report["gateway_ms"]!["p50"]!.GetValue<double>() < report["request_ms"]!["p50"]!.GetValue<double>());

        var usage = await HostCli.RunAsync(_data, "bench", "gateway", "--clients", "0");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--clients must be a positive whole number", usage.Stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless (or nothing was created).
        }
    }

    private async Task<List<string[]>> ListAsync(string email)
    {
        var list = await HostCli.RunAsync(_data, "keys", "list", "--email", email);
        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("id\t", list.StdoutLines[0], StringComparison.Ordinal);
        return list.StdoutLines.Skip(1).Select(l => l.Split('\t')).ToList();
    }
}
