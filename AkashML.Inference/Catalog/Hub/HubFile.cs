namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// One file of a Hub repository at a revision. <see cref="GitOid"/> is the git blob id (SHA-1 of <c>blob {size}\0</c> +
/// content) for files stored in git; <see cref="Sha256"/> is the content hash the Hub gives for LFS (and Xet) files.
/// </summary>
public sealed record HubFile(string Path, long? Size, string? GitOid, string? Sha256)
{
    /// <summary>Stored through LFS: the git oid names the pointer file, not the content, so only <see cref="Sha256"/> applies.</summary>
    public bool IsLfs => Sha256 is not null;
}
