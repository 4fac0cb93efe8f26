namespace AkashML.Web.Usage;

/// <summary>One page of a requests grid and how many rows the whole filter holds.</summary>
public sealed record UsageRowsPage(IReadOnlyList<UsageRow> Rows, int Total);
