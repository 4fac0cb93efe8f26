using AkashML.Web.Admin;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary><c>/admin/users</c>: every account with its balance; searched, sorted and paged on the server.</summary>
public sealed partial class AdminUsers
{
    private static readonly int[] PageSizes = [25, 50, 100];

    private MudDataGrid<AdminUserRow>? grid;

    /// <summary>False until the first page arrives: the server-rendered first response has no rows yet, which is not "none".</summary>
    private bool loaded;
    private string? search;
    private int total;

    [Inject] public required AdminDesk Desk { get; init; }

    [SupplyParameterFromQuery(Name = "q")] public string? Query { get; set; }

    protected override void OnInitialized() => search = Query;

    private async Task<GridData<AdminUserRow>> LoadAsync(GridState<AdminUserRow> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var by = sort?.SortBy == nameof(AdminUserRow.Email) ? UserSort.Email : UserSort.Joined;
        var page = await Desk.SearchUsersAsync(search, state.Page + 1, state.PageSize, by, sort?.Descending ?? true, cancellationToken);
        total = page.Total;
        loaded = true;
        return new GridData<AdminUserRow> { Items = page.Rows, TotalItems = page.Total };
    }

    private async Task SearchAsync(string? text)
    {
        search = text;
        if (grid is not null)
        {
            await grid.ReloadServerData();
        }
    }

    private static string UserHref(AdminUserRow user) => "admin/users/" + Uri.EscapeDataString(user.Id);
}
