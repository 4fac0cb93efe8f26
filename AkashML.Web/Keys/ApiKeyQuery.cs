namespace AkashML.Web.Keys;

/// <summary>
/// One page of a user's keys as the keys grid asks for it: a name search, a status filter, one sort column and a
/// zero-based page.
/// </summary>
public sealed record ApiKeyQuery(string? Search, ApiKeyStatusFilter Status, ApiKeySort Sort, bool Descending, int Page, int PageSize)
{
    public const int MaxPageSize = 100;

    public static readonly ApiKeyQuery FirstPage = new(null, ApiKeyStatusFilter.All, ApiKeySort.Created, false, 0, 10);
}
