namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// Where a pull stands: bytes on disk out of the total (files already complete and resumed bytes count as done),
/// and the file being fetched (1-based <see cref="FileNumber"/> of <see cref="FileCount"/>).
/// </summary>
public sealed record HubDownloadProgress(long BytesDone, long BytesTotal, string CurrentFile, int FileNumber, int FileCount);
