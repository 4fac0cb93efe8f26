using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AkashML.Inference.Tests.Hub;

/// <summary>
/// A Hugging Face Hub stand-in on 127.0.0.1 serving repositories from folders (<c>&lt;root&gt;/&lt;owner&gt;/&lt;name&gt;</c>,
/// one revision, <c>main</c>) with the Hub's wire shapes: paginated <c>/api/models/{repo}/tree/{rev}?recursive=true</c>
/// (git blob ids; sha256 under <c>lfs</c> for large files), <c>/{repo}/resolve/{rev}/{path}</c> with <c>Range</c>
/// (LFS files redirect to a CDN route, as on the Hub), 401 for gated repositories without the token, 404 with
/// <c>X-Error-Code</c>. Faults on demand: drop the connection after N bytes once, corrupt a file, ignore ranges.
/// </summary>
internal sealed class FakeHubServer : IDisposable
{
    public const string Revision = "main";
    public const int PageSize = 4;
    public const long LfsThreshold = 4096;

    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, int> _dropsLeft = new(StringComparer.Ordinal);

    public FakeHubServer(string root)
    {
        _root = root;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Endpoint = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken between probing and binding; try another.
            }
        }

        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>Repositories (owner/name) that answer 401 unless the request carries <see cref="Token"/>.</summary>
    public HashSet<string> GatedRepos { get; } = new(StringComparer.Ordinal);

    public string Token { get; set; } = "hf_test_token";

    /// <summary>Repository paths served with one byte flipped (the listing keeps the true hashes).</summary>
    public HashSet<string> CorruptPaths { get; } = new(StringComparer.Ordinal);

    /// <summary>Answer 200 with the whole file even when a range is asked for.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Answer 404 (no X-Error-Code) on the tree route, like an older mirror: clients fall back to <c>siblings</c>.</summary>
    public bool TreeRouteMissing { get; set; }

    /// <summary>Every request as "METHOD path-and-query [range]" (and "auth" when a bearer token came).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The next <paramref name="times"/> downloads of <paramref name="path"/> send <paramref name="bytes"/> bytes and close the socket.</summary>
    public void DropAfter(string path, long bytes, int times = 1)
    {
        _dropsLeft[path + "\n" + bytes.ToString(CultureInfo.InvariantCulture)] = times;
    }

    public IEnumerable<string> RangeRequests => Requests.Where(r => r.Contains("bytes=", StringComparison.Ordinal));

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }
    }

    /// <summary>The git blob id of <paramref name="content"/>: SHA-1 of "blob {length}\0" + content.</summary>
    public static string GitBlobId(byte[] content)
    {
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"blob {content.Length}\0"));
#pragma warning disable CA5350 // git's object id, not a security control
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
#pragma warning restore CA5350
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var range = request.Headers["Range"];
        var authorized = request.Headers["Authorization"] == "Bearer " + Token;
        Requests.Enqueue($"{request.HttpMethod} {request.RawUrl}{(range is null ? "" : " " + range)}{(request.Headers["Authorization"] is null ? "" : " auth")}");
        try
        {
            var rawPath = request.RawUrl!.Split('?', 2)[0];
            var query = request.RawUrl.Contains('?', StringComparison.Ordinal) ? request.RawUrl.Split('?', 2)[1] : "";
            var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            if (segments.Length >= 6 && segments[0] == "api" && segments[1] == "models" && segments[4] is "tree" or "revision")
            {
                var repo = segments[2] + "/" + segments[3];
                if (!CheckRepo(response, repo, segments[5], authorized))
                {
                    return;
                }

                if (segments[4] == "tree")
                {
                    if (TreeRouteMissing)
                    {
                        response.StatusCode = 404;
                        return;
                    }

                    await WriteTreePageAsync(response, repo, query);
                }
                else
                {
                    await WriteSiblingsAsync(response, repo);
                }

                return;
            }

            if (segments.Length >= 5 && segments[2] == "resolve")
            {
                var repo = segments[0] + "/" + segments[1];
                if (!CheckRepo(response, repo, segments[3], authorized))
                {
                    return;
                }

                var path = string.Join('/', segments.Skip(4));
                var file = RepoFile(repo, path);
                if (file is null)
                {
                    Error(response, 404, "EntryNotFound", $"{path} does not exist");
                    return;
                }

                if (new FileInfo(file).Length >= LfsThreshold)
                {
                    // LFS content lives on a CDN: the Hub redirects there (and the client must not send its token along).
                    response.StatusCode = 302;
                    response.RedirectLocation = $"/cdn/{Uri.EscapeDataString(segments[0])}/{Uri.EscapeDataString(segments[1])}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
                    return;
                }

                await ServeFileAsync(response, path, File.ReadAllBytes(file), range, context);
                return;
            }

            if (segments.Length >= 4 && segments[0] == "cdn")
            {
                var path = string.Join('/', segments.Skip(3));
                var file = RepoFile(segments[1] + "/" + segments[2], path);
                if (file is null)
                {
                    response.StatusCode = 404;
                    return;
                }

                await ServeFileAsync(response, path, File.ReadAllBytes(file), range, context);
                return;
            }

            response.StatusCode = 404;
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Already aborted.
            }
        }
    }

    private bool CheckRepo(HttpListenerResponse response, string repo, string revision, bool authorized)
    {
        if (!Directory.Exists(Path.Combine(_root, repo)))
        {
            // As the Hub: unknown repositories answer 401 to anonymous callers, 404 to signed-in ones.
            Error(response, authorized ? 404 : 401, "RepoNotFound", "Repository Not Found");
            return false;
        }

        if (GatedRepos.Contains(repo) && !authorized)
        {
            Error(response, 401, "GatedRepo", $"Access to model {repo} is restricted. You must be authenticated to access it.");
            return false;
        }

        if (revision != Revision)
        {
            Error(response, 404, "RevisionNotFound", $"Invalid rev id: {revision}");
            return false;
        }

        return true;
    }

    private static void Error(HttpListenerResponse response, int status, string code, string message)
    {
        response.StatusCode = status;
        response.Headers["X-Error-Code"] = code;
        response.Headers["X-Error-Message"] = message;
    }

    private string? RepoFile(string repo, string path)
    {
        var full = Path.GetFullPath(Path.Combine(_root, repo, path));
        return full.StartsWith(Path.GetFullPath(Path.Combine(_root, repo)) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full) ? full : null;
    }

    private List<(string Path, byte[] Content)> RepoFiles(string repo)
    {
        var folder = Path.Combine(_root, repo);
        return [.. Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => (Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes(f)))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)];
    }

    private async Task WriteTreePageAsync(HttpListenerResponse response, string repo, string query)
    {
        var entries = new List<object>();
        foreach (var directory in RepoFiles(repo).Select(f => f.Path).Where(p => p.Contains('/', StringComparison.Ordinal))
            .Select(p => p[..p.LastIndexOf('/')]).Distinct(StringComparer.Ordinal))
        {
            entries.Add(new Dictionary<string, object> { ["type"] = "directory", ["oid"] = new string('0', 40), ["size"] = 0, ["path"] = directory });
        }

        foreach (var (path, content) in RepoFiles(repo))
        {
            var entry = new Dictionary<string, object> { ["type"] = "file", ["oid"] = GitBlobId(content), ["size"] = content.Length, ["path"] = path };
            if (content.Length >= LfsThreshold)
            {
                entry["oid"] = GitBlobId(Encoding.ASCII.GetBytes("version https://git-lfs.github.com/spec/v1\n"));
                entry["lfs"] = new Dictionary<string, object> { ["oid"] = Convert.ToHexStringLower(SHA256.HashData(content)), ["size"] = content.Length, ["pointerSize"] = 134 };
            }

            entries.Add(entry);
        }

        var cursor = query.Split('&').Where(p => p.StartsWith("cursor=", StringComparison.Ordinal))
            .Select(p => int.Parse(p["cursor=".Length..], CultureInfo.InvariantCulture)).FirstOrDefault();
        var page = entries.Skip(cursor).Take(PageSize).ToList();
        if (cursor + PageSize < entries.Count)
        {
            response.Headers["Link"] = $"<{Endpoint}api/models/{repo}/tree/{Revision}?recursive=true&cursor={cursor + PageSize}>; rel=\"next\"";
        }

        await WriteJsonAsync(response, page);
    }

    private async Task WriteSiblingsAsync(HttpListenerResponse response, string repo)
    {
        var siblings = RepoFiles(repo).Select(f =>
        {
            var sibling = new Dictionary<string, object> { ["rfilename"] = f.Path, ["size"] = f.Content.Length, ["blobId"] = GitBlobId(f.Content) };
            if (f.Content.Length >= LfsThreshold)
            {
                sibling["blobId"] = new string('a', 40);
                sibling["lfs"] = new Dictionary<string, object> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(f.Content)), ["size"] = f.Content.Length, ["pointerSize"] = 134 };
            }

            return sibling;
        }).ToList();
        await WriteJsonAsync(response, new Dictionary<string, object> { ["id"] = repo, ["sha"] = new string('1', 40), ["siblings"] = siblings });
    }

    private static async Task WriteJsonAsync(HttpListenerResponse response, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value);
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    private async Task ServeFileAsync(HttpListenerResponse response, string path, byte[] content, string? range, HttpListenerContext context)
    {
        if (CorruptPaths.Contains(path))
        {
            content = (byte[])content.Clone();
            content[content.Length / 2] ^= 0x5A;
        }

        long from = 0;
        if (range is not null && !IgnoreRange)
        {
            if (!range.StartsWith("bytes=", StringComparison.Ordinal) || !range.EndsWith('-')
                || !long.TryParse(range["bytes=".Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out from))
            {
                response.StatusCode = 400;
                return;
            }

            if (from >= content.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{content.Length}";
                return;
            }

            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }

        response.Headers["Accept-Ranges"] = "bytes";
        response.ContentLength64 = content.Length - from;
        var drop = _dropsLeft.FirstOrDefault(d => d.Key.StartsWith(path + "\n", StringComparison.Ordinal) && d.Value > 0);
        if (drop.Key is not null)
        {
            var limit = long.Parse(drop.Key[(path.Length + 1)..], CultureInfo.InvariantCulture);
            _dropsLeft[drop.Key] = drop.Value - 1;
            var count = (int)Math.Max(0, Math.Min(limit - from, content.Length - from));
            await response.OutputStream.WriteAsync(content.AsMemory((int)from, count));
            await response.OutputStream.FlushAsync();
            context.Response.Abort(); // the socket closes mid-body
            return;
        }

        await response.OutputStream.WriteAsync(content.AsMemory((int)from));
    }
}
