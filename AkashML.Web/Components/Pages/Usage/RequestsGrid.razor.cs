using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Usage;

/// <summary>
/// The requests grid: MudDataGrid asks for a page and a sort, the owning page's <see cref="Load"/> answers from the
/// database (<see cref="UsageQueries"/> or <see cref="Inferences.InferenceQueries"/>), and <see cref="ReloadAsync"/>
/// re-asks when the page's filters change or new requests arrive.
/// </summary>
public sealed partial class RequestsGrid
{
    private static readonly int[] PageSizes = [25, 50, 100];

    private MudDataGrid<UsageRow>? grid;

    [Parameter, EditorRequired]
    public Func<RowsRequest, CancellationToken, Task<UsageRowsPage>> Load { get; set; } = default!;

    [Parameter]
    public IReadOnlyDictionary<Guid, string> KeyNames { get; set; } = new Dictionary<Guid, string>();

    [Parameter]
    public string TestId { get; set; } = "requests-grid";

    [Parameter]
    public string EmptyText { get; set; } = "No requests match.";

    /// <summary>The page size a grid starts with (the pager offers others).</summary>
    public int RowsPerPage => grid?.RowsPerPage ?? UsageQueries.PageSize;

    /// <summary>Re-reads the current page (new requests arrived).</summary>
    public Task ReloadAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    /// <summary>Back to the first page and re-read (the filter changed: the old page number means nothing now).</summary>
    public Task ResetAsync()
    {
        if (grid is { CurrentPage: > 0 })
        {
            // Moving to the first page reads it.
            grid.NavigateTo(Page.First);
            return Task.CompletedTask;
        }

        return ReloadAsync();
    }

    private async Task<GridData<UsageRow>> LoadAsync(GridState<UsageRow> state, CancellationToken cancellationToken)
    {
        var order = state.SortDefinitions.FirstOrDefault();
        var sort = order?.SortBy switch
        {
            nameof(UsageRow.CostMicros) => UsageSort.Cost,
            nameof(UsageRow.PromptTokens) => UsageSort.PromptTokens,
            nameof(UsageRow.CompletionTokens) => UsageSort.CompletionTokens,
            nameof(UsageRow.LatencyMs) => UsageSort.Latency,
            _ => UsageSort.Time,
        };
        var page = await Load(new RowsRequest(sort, order?.Descending ?? true, state.Page, state.PageSize), cancellationToken);
        return new GridData<UsageRow> { Items = page.Rows, TotalItems = page.Total };
    }

    private string KeyLabel(UsageRow row) => row switch
    {
        { KeyId: { } id } when KeyNames.TryGetValue(id, out var name) => name,
        { KeyId: not null } => "(deleted key)",
        { Surface: "playground" } => "Playground",
        _ => "—",
    };
}
