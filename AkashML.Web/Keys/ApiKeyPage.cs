using AkashML.Data.Keys;

namespace AkashML.Web.Keys;

/// <summary>One page of keys and how many match the query in all.</summary>
public sealed record ApiKeyPage(IReadOnlyList<ApiKey> Items, int Total);
