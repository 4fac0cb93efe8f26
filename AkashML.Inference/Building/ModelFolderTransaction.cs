namespace AkashML.Inference.Building;

/// <summary>
/// Builds a model folder in a hidden sibling of the destination and moves it into place only when complete, so a
/// failed or cancelled build never leaves a half-written model where the catalog would find it.
/// </summary>
internal sealed class ModelFolderTransaction : IDisposable
{
    private readonly string _destination;
    private bool _committed;

    public ModelFolderTransaction(string destination, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        _destination = Path.GetFullPath(destination.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (!overwrite && Directory.Exists(_destination) && Directory.EnumerateFileSystemEntries(_destination).Any())
        {
            throw new ModelBuildException($"Output folder '{_destination}' already exists and is not empty.");
        }

        if (File.Exists(_destination))
        {
            throw new ModelBuildException($"Output path '{_destination}' is a file.");
        }

        var parent = Path.GetDirectoryName(_destination) ?? throw new ModelBuildException($"Output folder '{_destination}' has no parent folder.");
        Directory.CreateDirectory(parent);
        StagingDirectory = Path.Combine(parent, "." + Path.GetFileName(_destination) + ".building-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(StagingDirectory);
    }

    /// <summary>Where the files are written until <see cref="Commit"/>.</summary>
    public string StagingDirectory { get; }

    public string Destination => _destination;

    public void Commit()
    {
        string? previous = null;
        if (Directory.Exists(_destination))
        {
            previous = _destination + ".old-" + Guid.NewGuid().ToString("N")[..8];
            Directory.Move(_destination, previous);
        }

        Directory.Move(StagingDirectory, _destination);
        _committed = true;
        if (previous is not null)
        {
            Directory.Delete(previous, recursive: true);
        }
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(StagingDirectory))
        {
            try
            {
                Directory.Delete(StagingDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover hidden staging folder is not a model and is never picked up.
            }
            catch (UnauthorizedAccessException)
            {
                // Same as above.
            }
        }
    }
}
