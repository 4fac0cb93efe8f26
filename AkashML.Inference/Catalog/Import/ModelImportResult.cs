namespace AkashML.Inference.Catalog.Import;

/// <summary>What an import produced: the model id, its folder in the models directory, and how it got there.</summary>
public sealed record ModelImportResult(string Id, string Path, bool Linked, int FileCount, long TotalBytes);
