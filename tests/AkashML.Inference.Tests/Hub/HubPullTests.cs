using System.Net;
using AkashML.Inference.Catalog.Hub;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Building;

namespace AkashML.Inference.Tests.Hub;

public sealed class HubPullTests(HubRepositoriesFixture repos) : IClassFixture<HubRepositoriesFixture>, IDisposable
{
    private readonly TempDirectory _models = new();
    private readonly FakeHubServer _hub = new(repos.Root);

    public void Dispose()
    {
        _hub.Dispose();
        _models.Dispose();
    }

    [Fact]
    public async Task Pulls_a_repository_into_owner_name_and_the_model_loads()
    {
        var progress = new RecordingProgress();
        var result = await PullAsync(new HubPullRequest("acme/tiny"), progress);

        var folder = _models.Combine("acme", "tiny");
        Assert.Equal("acme/tiny", result.Id);
        Assert.Equal(folder, result.Path);
        Assert.Equal("", result.RepoFolder);
        foreach (var name in repos.PayloadFiles)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(repos.Payload, name)), File.ReadAllBytes(Path.Combine(folder, name)));
        }

        Assert.True(File.Exists(Path.Combine(folder, "README.md")));
        Assert.Equal(result.TotalBytes, result.BytesTransferred);
        using (var model = Model.Load(folder))
        {
            Assert.True(model.VocabSize > 256);
        }

        // The listing was read page by page, large files came through the CDN redirect, nothing is left in staging.
        Assert.Contains(_hub.Requests, r => r.Contains("cursor=", StringComparison.Ordinal));
        Assert.Contains(_hub.Requests, r => r.StartsWith("GET /cdn/acme/tiny/model.onnx.data", StringComparison.Ordinal));
        Assert.Equal(["acme"], Directory.GetFileSystemEntries(_models.Path).Select(Path.GetFileName));
        var last = progress.Reports[^1];
        Assert.Equal(last.BytesTotal, last.BytesDone);
        Assert.Equal(result.TotalBytes, last.BytesTotal);
        Assert.Equal(last.FileCount, last.FileNumber);
        Assert.True(progress.Reports.Zip(progress.Reports.Skip(1)).All(p => p.Second.BytesDone >= p.First.BytesDone));
    }

    [Fact]
    public async Task Include_selects_a_subfolder_whose_name_is_appended_to_the_id()
    {
        var result = await PullAsync(new HubPullRequest("acme/multi") { Include = "cpu/int4/*" });

        Assert.Equal("acme/multi/int4", result.Id);
        Assert.Equal("cpu/int4", result.RepoFolder);
        Assert.Equal(repos.PayloadFiles, Directory.GetFiles(result.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_hub.Requests, r => r.Contains("/fp32/", StringComparison.Ordinal) || r.Contains("README", StringComparison.Ordinal));
        using var model = Model.Load(result.Path);
    }

    [Fact]
    public async Task A_repository_with_several_GenAI_folders_asks_for_include()
    {
        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/multi")));
        Assert.Contains("cpu/fp32", error.Message, StringComparison.Ordinal);
        Assert.Contains("--include", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_models.Path));
    }

    [Fact]
    public async Task A_repository_without_genai_config_is_refused_and_leaves_nothing()
    {
        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/docs")));
        Assert.Contains("no genai_config.json", error.Message, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/tiny") { Include = "*.bin" }));
        Assert.Contains("matches none", none.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_models.Path));
    }

    [Fact]
    public async Task A_gated_repository_needs_HF_TOKEN_and_works_with_it()
    {
        _hub.GatedRepos.Add("acme/gated");
        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/gated")));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("gated or private repo acme/gated: set HF_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);

        var wrong = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/gated"), token: "hf_wrong"));
        Assert.Contains("HF_TOKEN was refused", wrong.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_models.Path));

        _hub.Requests.Clear();
        var result = await PullAsync(new HubPullRequest("acme/gated"), token: _hub.Token);
        using var model = Model.Load(result.Path);
        Assert.All(_hub.Requests.Where(r => r.Contains("/resolve/", StringComparison.Ordinal) || r.Contains("/api/", StringComparison.Ordinal)),
            r => Assert.EndsWith(" auth", r, StringComparison.Ordinal));

        // The token stays with the Hub: the CDN a large file redirects to never sees it.
        Assert.All(_hub.Requests.Where(r => r.StartsWith("GET /cdn/", StringComparison.Ordinal)), r => Assert.DoesNotContain(" auth", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_repository_or_revision_is_not_found()
    {
        var repo = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/nothing"), token: _hub.Token));
        Assert.Equal(HttpStatusCode.NotFound, repo.StatusCode);
        Assert.Contains("repository or revision not found: acme/nothing@main", repo.Message, StringComparison.Ordinal);

        var anonymous = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/nothing")));
        Assert.Contains("repository or revision not found", anonymous.Message, StringComparison.Ordinal);

        var revision = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/tiny") { Revision = "v9" }));
        Assert.Contains("repository or revision not found: acme/tiny@v9", revision.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_models.Path));
    }

    [Fact]
    public async Task A_dropped_connection_resumes_with_a_range_request()
    {
        var size = new FileInfo(Path.Combine(repos.Payload, "model.onnx.data")).Length;
        var cut = size / 3;
        _hub.DropAfter("model.onnx.data", cut);

        var result = await PullAsync(new HubPullRequest("acme/tiny"));

        Assert.Contains(_hub.RangeRequests, r => r.StartsWith("GET /cdn/acme/tiny/model.onnx.data", StringComparison.Ordinal) && r.Contains($"bytes={cut}-", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(repos.Payload, "model.onnx.data")), File.ReadAllBytes(Path.Combine(result.Path, "model.onnx.data")));
        Assert.Equal(result.TotalBytes, result.BytesTransferred); // resumed, not fetched twice
        using var model = Model.Load(result.Path);
    }

    [Fact]
    public async Task A_failed_pull_keeps_its_partial_file_hidden_and_the_next_pull_resumes()
    {
        var size = new FileInfo(Path.Combine(repos.Payload, "model.onnx.data")).Length;
        _hub.DropAfter("model.onnx.data", size / 2);

        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/tiny"), maxAttempts: 1));
        Assert.True(error.CanResume);
        Assert.Contains("model.onnx.data", error.Message, StringComparison.Ordinal);
        Assert.All(Directory.GetFileSystemEntries(_models.Path), e => Assert.StartsWith(".", Path.GetFileName(e), StringComparison.Ordinal));
        Assert.Contains(Directory.EnumerateFiles(_models.Path, "*.incomplete", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }),
            f => new FileInfo(f).Length == size / 2);

        var result = await PullAsync(new HubPullRequest("acme/tiny"), maxAttempts: 1);
        Assert.Contains(_hub.RangeRequests, r => r.Contains($"bytes={size / 2}-", StringComparison.Ordinal));
        Assert.True(result.BytesTransferred < result.TotalBytes);
        Assert.Equal(File.ReadAllBytes(Path.Combine(repos.Payload, "model.onnx.data")), File.ReadAllBytes(Path.Combine(result.Path, "model.onnx.data")));
        Assert.Equal(["acme"], Directory.GetFileSystemEntries(_models.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_restarts_the_file_from_zero()
    {
        var size = new FileInfo(Path.Combine(repos.Payload, "model.onnx.data")).Length;
        _hub.IgnoreRange = true;
        _hub.DropAfter("model.onnx.data", size / 4);

        var result = await PullAsync(new HubPullRequest("acme/tiny"));

        Assert.Contains(_hub.RangeRequests, r => r.Contains($"bytes={size / 4}-", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(repos.Payload, "model.onnx.data")), File.ReadAllBytes(Path.Combine(result.Path, "model.onnx.data")));
    }

    [Fact]
    public async Task A_sha256_mismatch_is_rejected_and_nothing_is_left()
    {
        _hub.CorruptPaths.Add("model.onnx.data");
        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/tiny")));
        Assert.Contains("model.onnx.data", error.Message, StringComparison.Ordinal);
        Assert.Contains("sha256", error.Message, StringComparison.Ordinal);
        Assert.False(error.CanResume);
        Assert.Empty(Directory.GetFileSystemEntries(_models.Path));
    }

    [Fact]
    public async Task A_small_file_that_does_not_match_its_git_blob_id_is_rejected()
    {
        _hub.CorruptPaths.Add("genai_config.json");
        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/tiny")));
        Assert.Contains("genai_config.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("git blob id", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_models.Path));
    }

    [Fact]
    public async Task An_older_mirror_without_the_tree_route_is_listed_through_siblings()
    {
        _hub.TreeRouteMissing = true;
        var result = await PullAsync(new HubPullRequest("acme/tiny"));
        Assert.Contains(_hub.Requests, r => r.StartsWith("GET /api/models/acme/tiny/revision/main", StringComparison.Ordinal));
        using var model = Model.Load(result.Path);
    }

    [Fact]
    public async Task An_existing_model_is_kept_unless_overwrite_is_asked()
    {
        await PullAsync(new HubPullRequest("acme/tiny") { Id = "local/tiny" });
        var marker = _models.Combine("local", "tiny", "marker.txt");
        File.WriteAllText(marker, "old");

        var error = await Assert.ThrowsAsync<HubException>(() => PullAsync(new HubPullRequest("acme/tiny") { Id = "local/tiny" }));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(marker));

        await PullAsync(new HubPullRequest("acme/tiny") { Id = "local/tiny", Overwrite = true });
        Assert.False(File.Exists(marker));
        Assert.Equal(["local"], Directory.GetFileSystemEntries(_models.Path).Select(Path.GetFileName));
        Assert.Equal(["tiny"], Directory.GetFileSystemEntries(_models.Combine("local")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/c")]
    [InlineData("../etc")]
    [InlineData("acme/.hidden")]
    [InlineData("acme/ti ny")]
    public async Task A_malformed_repository_id_is_refused_before_any_request(string repo)
    {
        var error = await Record.ExceptionAsync(() => PullAsync(new HubPullRequest(repo)));
        Assert.True(error is HubException or ArgumentException, error?.GetType().Name);
        Assert.Empty(_hub.Requests);
    }

    private async Task<HubPullResult> PullAsync(HubPullRequest request, IProgress<HubDownloadProgress>? progress = null, string? token = null, int maxAttempts = 4)
    {
        using var client = new HubClient(new HubClientOptions
        {
            Endpoint = _hub.Endpoint,
            Token = token,
            MaxAttempts = maxAttempts,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            IdleTimeout = TimeSpan.FromSeconds(20),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new HubModelPuller(client, _models.Path).PullAsync(request, progress, timeout.Token);
    }

    /// <summary>Records reports synchronously, in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class RecordingProgress : IProgress<HubDownloadProgress>
    {
        public List<HubDownloadProgress> Reports { get; } = [];

        public void Report(HubDownloadProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }
}
