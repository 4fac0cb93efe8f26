using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AkashML.Inference.Building;
using AkashML.Inference.Catalog.Import;

namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// Pulls a GenAI-format model folder from a Hub repository into the models directory.
/// <para>
/// The files selected (all, or those matching <see cref="HubPullRequest.Include"/>) must contain exactly one
/// <c>genai_config.json</c>; its folder is the model. Only that folder's files are fetched, into a hidden staging
/// folder <c>&lt;models&gt;/.downloads/&lt;owner&gt;--&lt;name&gt;--&lt;hash&gt;</c> that survives a failed transfer so
/// the next pull resumes. When everything is verified the model moves atomically to
/// <c>&lt;models&gt;/&lt;owner&gt;/&lt;name&gt;</c>, or, for a GenAI folder below the repository root,
/// <c>&lt;models&gt;/&lt;owner&gt;/&lt;name&gt;/&lt;last segment of that folder&gt;</c>
/// (see <see cref="DefaultId"/>). Any other failure leaves nothing behind.
/// </para>
/// </summary>
public sealed class HubModelPuller(HubClient client, string modelsDirectory)
{
    private const string StagingRoot = ".downloads";

    /// <summary>
    /// The id a pull is stored under: the repository id, plus the last segment of the GenAI folder when that is not
    /// the repository root (<c>microsoft/Phi-3-mini-4k-instruct-onnx</c> with folder
    /// <c>cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4</c> → <c>microsoft/Phi-3-mini-4k-instruct-onnx/cpu-int4-rtn-block-32-acc-level-4</c>).
    /// </summary>
    public static string DefaultId(string repo, string repoFolder) =>
        repoFolder.Length == 0 ? repo : repo + "/" + repoFolder[(repoFolder.LastIndexOf('/') + 1)..];

    public async Task<HubPullResult> PullAsync(HubPullRequest request, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        HubClient.ValidateRepo(request.Repo);
        if (string.IsNullOrWhiteSpace(request.Revision))
        {
            throw new HubException("The revision must not be empty.");
        }

        var stopwatch = Stopwatch.StartNew();
        var listing = await client.ListFilesAsync(request.Repo, request.Revision, cancellationToken);
        var (folder, files) = SelectModelFolder(request, listing);
        var id = request.Id ?? DefaultId(request.Repo, folder);
        if (ModelIdentifier.Problem(id) is { } idProblem)
        {
            throw new HubException(idProblem + ".");
        }

        var root = Path.GetFullPath(modelsDirectory);
        var destination = ModelIdentifier.FolderOf(root, id);
        if (!request.Overwrite && Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new HubException($"model '{id}' already exists at '{destination}' (use --force to replace it).");
        }

        var staging = Path.Combine(root, StagingRoot, StagingName(request, folder));
        var prefix = folder.Length == 0 ? "" : folder + "/";
        var locals = files.Select(f => LocalPath(staging, f.Path[prefix.Length..], request.Repo)).ToList();
        var total = files.Sum(f => f.Size ?? 0);
        long before = 0;
        long transferred = 0;
        var keepStaging = false;
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                var done = before;
                var number = i + 1;
                progress?.Report(new HubDownloadProgress(done, total, file.Path, number, files.Count));
                transferred += await client.DownloadAsync(
                    request.Repo,
                    request.Revision,
                    file,
                    locals[i],
                    bytes => progress?.Report(new HubDownloadProgress(done + bytes, total, file.Path, number, files.Count)),
                    cancellationToken);
                before += file.Size ?? new FileInfo(locals[i]).Length;
            }

            if (ModelFolderValidator.CheckFiles(staging) is { } problem)
            {
                throw new HubException($"{request.Repo}@{request.Revision}{(folder.Length == 0 ? "" : "/" + folder)} is not a usable GenAI-format folder: {problem.Replace(staging, "the download", StringComparison.Ordinal).TrimEnd('.')}.");
            }

            using (var transaction = new ModelFolderTransaction(destination, request.Overwrite))
            {
                for (var i = 0; i < files.Count; i++)
                {
                    var target = Path.Combine(transaction.StagingDirectory, Path.GetRelativePath(staging, locals[i]));
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Move(locals[i], target);
                }

                transaction.Commit();
            }

            return new HubPullResult(id, destination, folder, files.Count, before, transferred, stopwatch.Elapsed);
        }
        catch (HubException ex) when (ex.CanResume)
        {
            keepStaging = true;
            throw;
        }
        catch (OperationCanceledException)
        {
            keepStaging = true; // a cancelled pull resumes next time
            throw;
        }
        catch (ModelBuildException ex)
        {
            throw new HubException($"Could not store model '{id}': {ex.Message}", null, ex);
        }
        finally
        {
            if (!keepStaging)
            {
                DeleteQuietly(staging);
                DeleteIfEmpty(Path.Combine(root, StagingRoot));
            }
        }
    }

    private static (string Folder, List<HubFile> Files) SelectModelFolder(HubPullRequest request, IReadOnlyList<HubFile> listing)
    {
        var where = $"{request.Repo}@{request.Revision}";
        var glob = request.Include is { Length: > 0 } include ? new HubGlob(include) : null;
        var selected = glob is null ? listing.ToList() : listing.Where(f => glob.IsMatch(f.Path)).ToList();
        if (selected.Count == 0)
        {
            throw new HubException(glob is null
                ? $"{where} has no files."
                : $"--include \"{glob.Pattern}\" matches none of the {listing.Count} files of {where}.");
        }

        var folders = selected
            .Where(f => f.Path == "genai_config.json" || f.Path.EndsWith("/genai_config.json", StringComparison.Ordinal))
            .Select(f => f.Path.Length == "genai_config.json".Length ? "" : f.Path[..^"/genai_config.json".Length])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (folders.Count == 0)
        {
            throw new HubException(
                $"{where} has no genai_config.json among the {selected.Count} selected files: it is not a GenAI-format model"
                + (glob is null ? " (if one of its folders is, choose it with --include \"folder/*\")." : "."));
        }

        if (folders.Count > 1)
        {
            var shown = string.Join(", ", folders.Take(6).Select(f => f.Length == 0 ? "(root)" : f)) + (folders.Count > 6 ? ", …" : "");
            throw new HubException($"{where} holds {folders.Count} GenAI folders ({shown}); choose one with --include \"<folder>/*\".");
        }

        var folder = folders[0];
        var prefix = folder.Length == 0 ? "" : folder + "/";
        return (folder, selected.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList());
    }

    /// <summary>Where a repository file lands in the staging folder; paths that would escape it are refused.</summary>
    private static string LocalPath(string staging, string relative, string repo)
    {
        var segments = relative.Split('/');
        if (relative.Length == 0 || segments.Any(s => s.Length == 0 || s is "." or ".." || s.Contains('\\', StringComparison.Ordinal) || s.Contains(':', StringComparison.Ordinal)))
        {
            throw new HubException($"{repo} lists a file with an unsafe path '{relative}'.");
        }

        return Path.Combine([staging, .. segments]);
    }

    /// <summary>Stable per repository, revision and folder, so a rerun finds the partial files of the last try.</summary>
    private static string StagingName(HubPullRequest request, string folder)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Repo}\n{request.Revision}\n{folder}")))[..12];
        return request.Repo.Replace("/", "--", StringComparison.Ordinal) + "--" + key;
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A hidden leftover is never mistaken for a model; the next pull of the same repo reuses or clears it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private static void DeleteIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (IOException)
        {
            // Another pull started using it.
        }
    }
}
