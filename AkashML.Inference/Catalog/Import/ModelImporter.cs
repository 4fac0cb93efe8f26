using AkashML.Inference.Building;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Catalog.Import;

/// <summary>
/// Brings an existing GenAI-format folder into the models directory. The folder is validated for real (ONNX Runtime
/// loads the model, the tokenizer loads) before anything is written; then it is copied, or linked file by file (a
/// real folder of symbolic links, so the catalog scan and ONNX external data resolve as for a copy). Either way the
/// result appears atomically: it is assembled in a hidden sibling and renamed into place.
/// </summary>
public static class ModelImporter
{
    public static Task<ModelImportResult> ImportAsync(
        string sourceFolder,
        string modelsDirectory,
        string? id = null,
        bool link = false,
        bool overwrite = false,
        ModelOptions? validationOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsDirectory);
        return Task.Run(() => Import(sourceFolder, modelsDirectory, id, link, overwrite, validationOptions, cancellationToken), cancellationToken);
    }

    private static ModelImportResult Import(string sourceFolder, string modelsDirectory, string? id, bool link, bool overwrite, ModelOptions? options, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(sourceFolder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        id ??= Path.GetFileName(source);
        if (ModelIdentifier.Problem(id) is { } idProblem)
        {
            throw new ModelImportException(idProblem + " (choose one with --id owner/name)");
        }

        var destination = ModelIdentifier.FolderOf(modelsDirectory, id);
        if (IsSameOrInside(source, destination) || IsSameOrInside(destination, source))
        {
            throw new ModelImportException($"'{source}' and the destination '{destination}' overlap; import from a folder outside it.");
        }

        if (!overwrite && Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new ModelImportException($"model '{id}' already exists at '{destination}' (use --force to replace it).");
        }

        if (ModelFolderValidator.CheckByLoading(source, options) is { } problem)
        {
            throw new ModelImportException(problem.EndsWith('.') ? problem : problem + ".");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var files = Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => !IsUnderGitFolder(Path.GetRelativePath(source, f)))
            .ToList();
        long bytes = 0;
        try
        {
            using var transaction = new ModelFolderTransaction(destination, overwrite);
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = Path.GetRelativePath(source, file);
                var target = Path.Combine(transaction.StagingDirectory, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (link)
                {
                    File.CreateSymbolicLink(target, file);
                }
                else
                {
                    File.Copy(file, target);
                }

                bytes += new FileInfo(file).Length;
            }

            transaction.Commit();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ModelBuildException)
        {
            throw new ModelImportException($"Could not write model '{id}' to '{destination}': {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        return new ModelImportResult(id, destination, link, files.Count, bytes);
    }

    private static bool IsSameOrInside(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    private static bool IsUnderGitFolder(string relative) =>
        relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0] == ".git";
}
