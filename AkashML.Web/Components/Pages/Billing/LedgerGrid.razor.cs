using AkashML.Data.Billing;
using AkashML.Web.Billing;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>A user's ledger as a server-paged grid, one line per request rather than one per entry.</summary>
public sealed partial class LedgerGrid
{
    private static readonly int[] PageSizes = [10, 25, 50];

    private MudDataGrid<LedgerLine>? grid;

    /// <summary>False until the first page arrives: the server-rendered first response has no rows yet, which is not "none".</summary>
    private bool loaded;

    [Inject] public required BillingDesk Desk { get; init; }

    [Parameter, EditorRequired] public string UserId { get; set; } = "";

    private LedgerFilter Filter { get; set; }

    /// <summary>Re-reads the current page (after the balance moved).</summary>
    public Task ReloadAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    private async Task<GridData<LedgerLine>> LoadAsync(GridState<LedgerLine> state, CancellationToken cancellationToken)
    {
        var page = await Desk.GetLedgerAsync(UserId, Filter, state.Page, state.PageSize, cancellationToken);
        loaded = true;
        return new GridData<LedgerLine> { Items = page.Lines, TotalItems = page.Total };
    }

    private async Task SetFilterAsync(LedgerFilter filter)
    {
        Filter = filter;
        await ReloadAsync();
    }

    private static string Describe(LedgerLine line) => line.Charge switch
    {
        RequestCharge.Charged => "Request",
        RequestCharge.Held => "Request in progress",
        RequestCharge.Released => "Request (nothing charged)",
        _ => KindLabel(line.Kind),
    };

    public static string KindLabel(LedgerEntryKind kind) => kind switch
    {
        LedgerEntryKind.Grant => "Credits added",
        LedgerEntryKind.Reservation => "Held for a request",
        LedgerEntryKind.Settlement => "Request charged",
        LedgerEntryKind.Release => "Hold released",
        LedgerEntryKind.Expiry => "Expired",
        LedgerEntryKind.Refund => "Refunded",
        _ => kind.ToString(),
    };
}
