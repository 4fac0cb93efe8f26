namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// A finished pull: the model id and folder, the repository folder it came from (empty for the root), file count,
/// total size, the bytes actually transferred (less than the total when a pull resumed) and the time it took.
/// </summary>
public sealed record HubPullResult(string Id, string Path, string RepoFolder, int FileCount, long TotalBytes, long BytesTransferred, TimeSpan Elapsed);
