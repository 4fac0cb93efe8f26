using System.Text.Json;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Hub;
using AkashML.Tests.SharedFolder;

namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>The <c>models</c> and <c>bench</c> verbs, run through the real host executable.</summary>
public sealed class ModelCommandsTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>, IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "akashml-cli-data-" + Guid.NewGuid().ToString("N")[..10]);

    private string Models => Path.Combine(_data, "models");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Temp leftovers do not affect other tests.
        }
    }

    [Fact]
    public async Task Models_list_prints_a_header_then_one_line_per_model()
    {
        var empty = await HostCli.RunAsync(_data, "models", "list");
        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Equal(["id\tname\tcontext\tinput_usd_per_mtok\toutput_usd_per_mtok\tquantization\tsmoke_test"], empty.StdoutLines);

        CopyFolder(tiny.Folder, Path.Combine(Models, "akashml", "tiny-random"));
        CopyFolder(tiny.Folder, Path.Combine(Models, "acme", "other-int4"));
        CopyFolder(tiny.Folder, Path.Combine(Models, "acme", ".half-pulled")); // hidden: work in progress
        var listed = await HostCli.RunAsync(_data, "models", "list");

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(3, listed.StdoutLines.Length);
        var rows = listed.StdoutLines.Skip(1).Select(l => l.Split('\t')).ToArray();
        Assert.All(rows, r => Assert.Equal(7, r.Length));
        Assert.Equal(["acme/other-int4", "akashml/tiny-random"], rows.Select(r => r[0]));
        Assert.Equal(["32768", "int4", "no"], new[] { rows[0][2], rows[0][5], rows[0][6] });
        Assert.Equal("yes", rows[1][6]);
        Assert.All(rows, r => Assert.True(decimal.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture) > 0));
    }

    [Fact]
    public async Task Models_import_copies_a_valid_folder_that_is_then_listed()
    {
        var result = await HostCli.RunAsync(_data, "models", "import", tiny.Folder, "--id", "acme/tiny");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.StdoutLines);
        Assert.StartsWith("imported acme/tiny (copied", result.StdoutLines[0], StringComparison.Ordinal);
        using (Model.Load(Path.Combine(Models, "acme", "tiny")))
        {
        }

        var listed = await HostCli.RunAsync(_data, "models", "list");
        Assert.Contains(listed.StdoutLines, l => l.StartsWith("acme/tiny\t", StringComparison.Ordinal));

        var again = await HostCli.RunAsync(_data, "models", "import", tiny.Folder, "--id", "acme/tiny");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", Assert.Single(again.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_import_link_makes_a_folder_of_links_that_serves()
    {
        var result = await HostCli.RunAsync(_data, "models", "import", tiny.Folder, "--id", "acme/linked", "--link");

        Assert.True(result.ExitCode == 0, result.ToString());
        var folder = Path.Combine(Models, "acme", "linked");
        Assert.All(Directory.GetFiles(folder), f => Assert.NotNull(new FileInfo(f).LinkTarget));
        using (Model.Load(folder))
        {
        }
    }

    [Theory]
    [InlineData("missing-tokenizer", "tokenizer.json")]
    [InlineData("corrupt-genai-config", "genai_config.json")]
    [InlineData("corrupt-graph", "cannot be loaded")]
    public async Task Models_import_refuses_a_broken_folder_with_one_line_and_writes_nothing(string breakage, string expected)
    {
        var source = tiny.CopyTo(Path.Combine(_data, "incoming"), breakage);
        switch (breakage)
        {
            case "missing-tokenizer":
                File.Delete(Path.Combine(source, "tokenizer.json"));
                break;
            case "corrupt-genai-config":
                File.WriteAllText(Path.Combine(source, "genai_config.json"), "{ \"model\": { \"type\": ");
                break;
            case "corrupt-graph":
                File.WriteAllBytes(Path.Combine(source, "model.onnx"), "not a protobuf"u8.ToArray());
                break;
        }

        var result = await HostCli.RunAsync(_data, "models", "import", source, "--id", "acme/broken");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Models) && Directory.EnumerateFileSystemEntries(Models, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Any(),
            "the models directory must stay empty");
    }

    [Fact]
    public async Task Unknown_sub_commands_and_misplaced_flags_are_usage_errors()
    {
        var unknown = await HostCli.RunAsync(_data, "models", "frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("error: usage: models list", Assert.Single(unknown.StderrLines), StringComparison.Ordinal);

        var misplaced = await HostCli.RunAsync(_data, "models", "import", "--link", tiny.Folder);
        Assert.Equal(2, misplaced.ExitCode);
        Assert.Contains("--link takes no value", Assert.Single(misplaced.StderrLines), StringComparison.Ordinal);
    }

    [NeedsSharedFact("models/tiny-graph-capture-gqa")]
    public async Task Bench_engine_json_reports_positive_medians()
    {
        var result = await HostCli.RunAsync(_data, "bench", "engine", "--model", SharedTestData.PathOf("models/tiny-graph-capture-gqa"),
            "--prompt-tokens", "16", "--gen-tokens", "16", "--runs", "2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        foreach (var field in new[] { "prefill_tokens_per_s", "decode_tokens_per_s", "ttft_ms" })
        {
            var spread = json.RootElement.GetProperty(field);
            var (p25, median, p75) = (spread.GetProperty("p25").GetDouble(), spread.GetProperty("median").GetDouble(), spread.GetProperty("p75").GetDouble());
            Assert.True(median > 0, field + " must be positive: " + result.Stdout);
            Assert.True(p25 <= median && median <= p75, field + " quartiles out of order: " + result.Stdout);
        }

        foreach (var field in new[] { "peak_rss_mb", "weight_bytes_per_token", "memory_copy_bytes_per_s", "fraction_of_copy_bandwidth" })
        {
            Assert.True(json.RootElement.GetProperty(field).GetDouble() > 0, field + " must be positive: " + result.Stdout);
        }

        Assert.Equal(16, json.RootElement.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task Bench_engine_reference_ortgenai_reports_both_runtimes_and_their_ratio()
    {
        var single = await HostCli.RunAsync(_data, "bench", "engine", "--model", tiny.Folder, "--reference", "ortgenai",
            "--prompt-tokens", "8", "--gen-tokens", "8", "--runs", "2", "--json");
        Assert.True(single.ExitCode == 0, single.ToString());
        using (var json = JsonDocument.Parse(Assert.Single(single.StdoutLines)))
        {
            foreach (var runtime in new[] { "ours", "official" })
            {
                var decode = json.RootElement.GetProperty(runtime).GetProperty("decode_tokens_per_s");
                Assert.True(decode.GetProperty("p25").GetDouble() > 0, single.Stdout);
                Assert.True(decode.GetProperty("median").GetDouble() <= decode.GetProperty("p75").GetDouble(), single.Stdout);
            }

            Assert.True(json.RootElement.GetProperty("decode_ratio").GetDouble() > 0, single.Stdout);
        }

        var streams = await HostCli.RunAsync(_data, "bench", "engine", "--model", tiny.Folder, "--reference", "ortgenai", "--streams", "2",
            "--prompt-tokens", "8", "--gen-tokens", "8", "--runs", "1");
        Assert.True(streams.ExitCode == 0, streams.ToString());
        Assert.Contains(streams.StdoutLines, l => l.Contains("official static batch", StringComparison.Ordinal));

        var unknown = await HostCli.RunAsync(_data, "bench", "engine", "--model", tiny.Folder, "--reference", "llamacpp");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("--reference must be 'ortgenai'", Assert.Single(unknown.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_engine_accepts_a_catalog_id_and_prints_plain_text()
    {
        CopyFolder(tiny.Folder, Path.Combine(Models, "acme", "tiny"));
        var result = await HostCli.RunAsync(_data, "bench", "engine", "--model", "acme/tiny", "--prompt-tokens", "8", "--gen-tokens", "4", "--runs", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdoutLines, l => l.StartsWith("decode tokens/s", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.StartsWith("time to first token", StringComparison.Ordinal));

        var unknown = await HostCli.RunAsync(_data, "bench", "engine", "--model", "acme/nothing");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("neither a folder nor a model id", Assert.Single(unknown.StderrLines), StringComparison.Ordinal);
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Models_build_llama2c_writes_fp32_and_int4_folders_into_the_models_directory()
    {
        var source = SharedTestData.PathOf("models/llama2c-stories260K");
        var fp32 = await HostCli.RunAsync(_data, "models", "build", "llama2c", Path.Combine(source, "stories260K.bin"),
            "--tokenizer", Path.Combine(source, "tok512.bin"), "--out", "karpathy/stories260K");
        var int4 = await HostCli.RunAsync(_data, "models", "build", "llama2c", Path.Combine(source, "stories260K.bin"),
            "--tokenizer", Path.Combine(source, "tok512.model"), "--out", "./elsewhere/stories260K-int4", "--int4");

        Assert.True(fp32.ExitCode == 0, fp32.ToString());
        Assert.True(int4.ExitCode == 0, int4.ToString());
        Assert.StartsWith("built karpathy/stories260K (fp32", Assert.Single(fp32.StdoutLines), StringComparison.Ordinal);
        using (var model = Model.Load(Path.Combine(Models, "karpathy", "stories260K")))
        {
            Assert.Equal(512, model.VocabSize);
        }

        // "./…" is a path relative to the working directory, not a model id.
        using (var model = Model.Load(Path.Combine(_data, "elsewhere", "stories260K-int4")))
        {
            Assert.Equal(512, model.VocabSize);
        }

        var truncated = Path.Combine(_data, "truncated.bin");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Path.Combine(source, "stories260K.bin"))[..1000]);
        var bad = await HostCli.RunAsync(_data, "models", "build", "llama2c", truncated, "--tokenizer", Path.Combine(source, "tok512.bin"), "--out", "karpathy/bad");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Single(bad.StderrLines);
        Assert.False(Directory.Exists(Path.Combine(Models, "karpathy", "bad")));
        Assert.Equal(["stories260K"], Directory.GetFileSystemEntries(Path.Combine(Models, "karpathy")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Models_pull_downloads_from_HF_ENDPOINT_with_progress_on_stderr_only()
    {
        var hubRoot = Path.Combine(_data, "hub");
        CopyFolder(tiny.Folder, Path.Combine(hubRoot, "acme", "tiny"));
        CopyFolder(tiny.Folder, Path.Combine(hubRoot, "acme", "gated"));
        using var hub = new FakeHubServer(hubRoot);
        hub.GatedRepos.Add("acme/gated");
        var environment = new Dictionary<string, string?> { ["HF_ENDPOINT"] = hub.Endpoint.ToString() };

        var pulled = await HostCli.RunAsync(_data, environment, "models", "pull", "acme/tiny");

        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.StartsWith("pulled acme/tiny@main as acme/tiny:", Assert.Single(pulled.StdoutLines), StringComparison.Ordinal);
        Assert.Contains('\r', pulled.Stderr);
        Assert.Contains("100% [########################]", pulled.Stderr, StringComparison.Ordinal);
        using (Model.Load(Path.Combine(Models, "acme", "tiny")))
        {
        }

        var gated = await HostCli.RunAsync(_data, environment, "models", "pull", "acme/gated");
        Assert.Equal(1, gated.ExitCode);
        Assert.Contains("set HF_TOKEN", Assert.Single(gated.StderrLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Models, "acme", "gated")));

        environment["HF_TOKEN"] = hub.Token;
        var authorized = await HostCli.RunAsync(_data, environment, "models", "pull", "acme/gated", "--id", "acme/gated-copy");
        Assert.True(authorized.ExitCode == 0, authorized.ToString());
        Assert.True(File.Exists(Path.Combine(Models, "acme", "gated-copy", "genai_config.json")));
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }
}
