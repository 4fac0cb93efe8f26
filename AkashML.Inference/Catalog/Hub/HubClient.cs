using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// Speaks the Hugging Face Hub's HTTP API: lists a repository's files at a revision and downloads them with resume
/// (<c>Range</c>), retries and verification (size; sha256 for LFS files, the git blob id for the others).
/// </summary>
public sealed class HubClient : IDisposable
{
    private const int BufferSize = 1 << 20;
    private const int MaxListingPages = 10_000;
    private const long MaxListingBytes = 256L << 20;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Uses <paramref name="http"/> as given (it should follow redirects, which the default handler does).</summary>
    public HubClient(HttpClient http, HubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _http = http;
        Options = options;
    }

    /// <summary>Creates and owns an HttpClient suited to large downloads (no overall timeout; stalls end by <see cref="HubClientOptions.IdleTimeout"/>).</summary>
    public HubClient(HubClientOptions options)
        : this(CreateHttpClient(), options)
    {
        _ownsHttp = true;
    }

    public HubClientOptions Options { get; }

    /// <summary>
    /// Every file of <paramref name="repo"/> at <paramref name="revision"/> (branch, tag or commit), from
    /// <c>/api/models/{repo}/tree/{revision}?recursive=true</c> (following <c>Link: rel="next"</c> pages), or from
    /// the older <c>/api/models/{repo}/revision/{revision}</c> <c>siblings</c> listing where the tree route is missing.
    /// </summary>
    public async Task<IReadOnlyList<HubFile>> ListFilesAsync(string repo, string revision, CancellationToken cancellationToken = default)
    {
        ValidateRepo(repo);
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        var files = new List<HubFile>();
        Uri? next = Address($"api/models/{EscapeRepo(repo)}/tree/{Uri.EscapeDataString(revision)}?recursive=true");
        for (var page = 0; next is not null; page++)
        {
            if (page >= MaxListingPages)
            {
                throw new HubException($"The file listing of {repo}@{revision} did not end after {MaxListingPages} pages.");
            }

            using var response = await SendListingAsync(next, cancellationToken);
            if (page == 0 && response.StatusCode == HttpStatusCode.NotFound && response.Headers.TryGetValues("X-Error-Code", out _) is false)
            {
                // A 404 without the Hub's error code: likely a mirror without the tree route; try the older listing.
                var siblings = await TryListSiblingsAsync(repo, revision, cancellationToken);
                if (siblings is not null)
                {
                    return siblings;
                }
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, repo, revision, path: null);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new HubException($"The Hub's file listing of {repo}@{revision} is not valid JSON: {ex.Message}", ex);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw new HubException($"The Hub's file listing of {repo}@{revision} is not a JSON array.");
                }

                foreach (var entry in document.RootElement.EnumerateArray())
                {
                    if (ReadTreeEntry(entry) is { } file)
                    {
                        files.Add(file);
                    }
                }
            }

            next = NextPage(response);
        }

        return files;
    }

    /// <summary>
    /// Downloads <paramref name="file"/> to <paramref name="destination"/>. Bytes arrive in a partial file beside it
    /// (named after the file's hash, so a changed file never resumes onto old bytes); an interrupted transfer resumes
    /// with <c>Range: bytes=N-</c> (a 200 answer restarts from zero), up to <see cref="HubClientOptions.MaxAttempts"/>
    /// tries. The finished file is verified before it takes its final name; a destination that already verifies is
    /// kept. <paramref name="onBytes"/> receives the bytes of this file on disk so far. Returns the bytes transferred.
    /// </summary>
    public async Task<long> DownloadAsync(string repo, string revision, HubFile file, string destination, Action<long>? onBytes = null, CancellationToken cancellationToken = default)
    {
        ValidateRepo(repo);
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        if (File.Exists(destination))
        {
            if (await VerifyAsync(destination, file, cancellationToken) is null)
            {
                onBytes?.Invoke(new FileInfo(destination).Length);
                return 0;
            }

            File.Delete(destination);
        }

        var url = Address($"{EscapeRepo(repo)}/resolve/{Uri.EscapeDataString(revision)}/{EscapePath(file.Path)}");
        var partial = destination + "." + PartialTag(file) + ".incomplete";
        var failures = 0;
        var resumed = false;
        var restartedAfterMismatch = false;
        var transferred = new StrongBox<long>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (file.Size is { } expected && existing > expected)
            {
                File.Delete(partial);
                existing = 0;
            }

            onBytes?.Invoke(existing);
            if (!(file.Size is { } size && existing == size && size > 0))
            {
                resumed |= existing > 0;
                try
                {
                    await FetchAsync(url, partial, existing, repo, revision, file.Path, onBytes, transferred, cancellationToken);
                    if (file.Size is { } want && new FileInfo(partial).Length < want)
                    {
                        throw new IOException($"the connection closed after {new FileInfo(partial).Length} of {want} bytes");
                    }
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    failures++;
                    if (failures >= Options.MaxAttempts)
                    {
                        throw new HubException(
                            $"Downloading {file.Path} from {repo}@{revision} failed after {failures} attempts: {OneLine(ex.Message)}",
                            (ex as HttpRequestException)?.StatusCode ?? (ex as TransientStatusException)?.StatusCode,
                            ex)
                        {
                            CanResume = File.Exists(partial),
                        };
                    }

                    await Task.Delay(Options.RetryDelay * Math.Pow(2, failures - 1), cancellationToken);
                    continue;
                }
            }

            var problem = await VerifyAsync(partial, file, cancellationToken);
            if (problem is null)
            {
                File.Move(partial, destination, overwrite: true);
                return transferred.Value;
            }

            File.Delete(partial);
            if (resumed && !restartedAfterMismatch)
            {
                // Resumed bytes may come from an earlier attempt against different content: one clean restart.
                restartedAfterMismatch = true;
                resumed = false;
                continue;
            }

            throw new HubException($"{file.Path} from {repo}@{revision} failed verification: {problem}.");
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>An HttpClient for the Hub: follows redirects (LFS files redirect to a CDN), no overall timeout.</summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>One GET of the file, appending to or replacing <paramref name="partial"/>; counts bytes received into <paramref name="transferred"/> as they arrive (a dropped connection still counts what came).</summary>
    private async Task FetchAsync(Uri url, string partial, long existing, string repo, string revision, string path, Action<long>? onBytes, StrongBox<long> transferred, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(Options.IdleTimeout);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(url, existing > 0 ? existing : null, idle.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {Options.IdleTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }

        using (response)
        {
            var append = false;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent:
                    if (response.Content.Headers.ContentRange?.From != existing)
                    {
                        // A range we did not ask for: start over rather than splice bytes at the wrong offset.
                        File.Delete(partial);
                        throw new IOException($"the server answered range '{response.Content.Headers.ContentRange}' to a request for bytes {existing}-");
                    }

                    append = true;
                    break;
                case HttpStatusCode.OK:
                    break;
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    if (response.Content.Headers.ContentRange?.Length == existing)
                    {
                        return; // already complete (size was not known up front)
                    }

                    File.Delete(partial);
                    throw new IOException("the server rejected the resume range");
                default:
                    if (IsRetryableStatus(response.StatusCode))
                    {
                        throw new TransientStatusException(response.StatusCode);
                    }

                    throw Failure(response, repo, revision, path);
            }

            var written = append ? existing : 0;
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            var buffer = new byte[BufferSize];
            while (true)
            {
                idle.CancelAfter(Options.IdleTimeout);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no data for {Options.IdleTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
                }

                if (read == 0)
                {
                    break;
                }

                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
                transferred.Value += read;
                onBytes?.Invoke(written);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, long? range, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("akashml", "1.0"));
        if (range is { } from)
        {
            request.Headers.Range = new RangeHeaderValue(from, null);
        }

        if (Options.Token is { } token)
        {
            // HttpClient drops this header when a redirect leaves for another host (the LFS CDN).
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>A listing request: transport failures become one-line <see cref="HubException"/>s.</summary>
    private async Task<HttpResponseMessage> SendListingAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.IdleTimeout);
        try
        {
            var response = await SendAsync(url, range: null, timeout.Token);
            try
            {
                // Read the whole (small) listing under the same deadline, so a stalled body cannot hang the pull.
                await response.Content.LoadIntoBufferAsync(MaxListingBytes, timeout.Token);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch (HttpRequestException ex)
        {
            throw new HubException($"Cannot reach the Hub at {Options.Endpoint}: {OneLine(ex.Message)}", null, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException($"The Hub at {Options.Endpoint} did not answer within {Options.IdleTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", null, ex);
        }
    }

    private async Task<List<HubFile>?> TryListSiblingsAsync(string repo, string revision, CancellationToken cancellationToken)
    {
        using var response = await SendListingAsync(Address($"api/models/{EscapeRepo(repo)}/revision/{Uri.EscapeDataString(revision)}?blobs=true"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            if (!document.RootElement.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var files = new List<HubFile>();
            foreach (var sibling in siblings.EnumerateArray())
            {
                if (sibling.ValueKind != JsonValueKind.Object || !sibling.TryGetProperty("rfilename", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                string? sha256 = null;
                long? size = ReadLong(sibling, "size");
                if (sibling.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
                {
                    sha256 = ReadHash(lfs, "sha256") ?? ReadHash(lfs, "oid");
                    size = ReadLong(lfs, "size") ?? size;
                }

                files.Add(new HubFile(name.GetString()!, size, sha256 is null ? ReadHash(sibling, "blobId") : null, sha256));
            }

            return files;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static HubFile? ReadTreeEntry(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "file"
            || !entry.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String)
        {
            return null; // directories (and anything unknown) carry no bytes
        }

        var size = ReadLong(entry, "size");
        string? sha256 = null;
        if (entry.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
        {
            sha256 = ReadHash(lfs, "oid") ?? ReadHash(lfs, "sha256");
            size = ReadLong(lfs, "size") ?? size;
        }

        return new HubFile(path.GetString()!, size, sha256 is null ? ReadHash(entry, "oid") : null, sha256);
    }

    private static long? ReadLong(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0 ? number : null;

    /// <summary>A hex digest, with an optional <c>sha256:</c> prefix removed; null when absent or not hex.</summary>
    private static string? ReadHash(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString()!;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            text = text[(colon + 1)..];
        }

        return text.Length is 40 or 64 && text.All(char.IsAsciiHexDigit) ? text.ToLowerInvariant() : null;
    }

    private static Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';');
            if (parts.Length >= 2 && parts.Skip(1).Any(p => p.Trim().Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next"))
            {
                var target = parts[0].Trim().TrimStart('<').TrimEnd('>');
                if (Uri.TryCreate(response.RequestMessage?.RequestUri, target, out var uri))
                {
                    return uri;
                }
            }
        }

        return null;
    }

    /// <summary>Null when the file matches its listing; otherwise what differs.</summary>
    private static async Task<string?> VerifyAsync(string path, HubFile file, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (file.Size is { } size && length != size)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{length} bytes, expected {size}");
        }

        if (file.Sha256 is { Length: 64 } sha256)
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            return actual == sha256 ? null : $"sha256 {actual}, expected {sha256}";
        }

        if (file.GitOid is { Length: 40 } oid)
        {
            // git's blob id: SHA-1 over "blob <length>\0" and the content. An identifier check, not a security control.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            hash.AppendData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"blob {length}\0")));
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            return actual == oid ? null : $"git blob id {actual}, expected {oid}";
        }

        return null;
    }

    private HubException Failure(HttpResponseMessage response, string repo, string revision, string? path)
    {
        var status = (int)response.StatusCode;
        var code = Header(response, "X-Error-Code");
        var detail = Header(response, "X-Error-Message") is { Length: > 0 } message ? $" ({OneLine(message).TrimEnd('.')})" : "";
        var text = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when code == "RepoNotFound" =>
                $"repository or revision not found: {repo}@{revision} (if it is private, set HF_TOKEN)",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when Options.Token is null =>
                $"gated or private repo {repo}: set HF_TOKEN to a Hugging Face access token that has access",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                $"gated or private repo {repo}: HF_TOKEN was refused or lacks access (accept the model's terms on the Hub first)",
            HttpStatusCode.NotFound when code == "EntryNotFound" && path is not null => $"{path} not found in {repo}@{revision}",
            HttpStatusCode.NotFound => $"repository or revision not found: {repo}@{revision}",
            _ => $"the Hub answered {status} {response.ReasonPhrase} for {repo}@{revision}{(path is null ? "" : " " + path)}",
        };
        return new HubException(string.Create(CultureInfo.InvariantCulture, $"{text} (HTTP {status}){detail}."), response.StatusCode);
    }

    private Uri Address(string relative) => new(Options.Endpoint.AbsoluteUri.TrimEnd('/') + "/" + relative);

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is IOException or TimeoutException or TransientStatusException or HttpRequestException;

    private static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(' ', values) : null;

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    private static string PartialTag(HubFile file) =>
        (file.Sha256 ?? file.GitOid) is { } hash ? hash[..16] : "nohash";

    internal static void ValidateRepo(string repo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repo);
        var parts = repo.Split('/');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0 || p.StartsWith('.') || p.Contains("..", StringComparison.Ordinal)
            || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new HubException($"'{repo}' is not a Hub repository id (expected owner/name).");
        }
    }

    private static string EscapeRepo(string repo) => string.Join('/', repo.Split('/').Select(Uri.EscapeDataString));

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>A retryable HTTP status (429, 5xx), thrown inside the retry loop only.</summary>
    private sealed class TransientStatusException(HttpStatusCode statusCode)
        : Exception(string.Create(CultureInfo.InvariantCulture, $"the Hub answered HTTP {(int)statusCode}"))
    {
        public HttpStatusCode StatusCode { get; } = statusCode;
    }
}
