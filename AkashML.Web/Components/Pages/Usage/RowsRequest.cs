using AkashML.Web.Usage;

namespace AkashML.Web.Components.Pages.Usage;

/// <summary>What a requests grid asks its page for: a sort and a page.</summary>
public sealed record RowsRequest(UsageSort Sort, bool Descending, int Page, int PageSize);
