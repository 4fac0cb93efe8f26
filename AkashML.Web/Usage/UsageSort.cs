namespace AkashML.Web.Usage;

/// <summary>The columns the requests grids sort by on the server (the id breaks ties, so paging is stable).</summary>
public enum UsageSort
{
    Time,
    Cost,
    PromptTokens,
    CompletionTokens,
    Latency,
}
