using AkashML.Data.Billing;
using AkashML.Web.Billing;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>A user's payments as a server-paged, server-sorted grid (the billing page and the admin's user page).</summary>
public sealed partial class PaymentsGrid
{
    private static readonly int[] PageSizes = [10, 25, 50];

    private MudDataGrid<Payment>? grid;

    /// <summary>False until the first page arrives: the server-rendered first response has no rows yet, which is not "none".</summary>
    private bool loaded;

    [Inject] public required BillingDesk Desk { get; init; }

    [Parameter, EditorRequired] public string UserId { get; set; } = "";

    public Task ReloadAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    private async Task<GridData<Payment>> LoadAsync(GridState<Payment> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var by = sort?.SortBy switch
        {
            nameof(Payment.AmountCents) => PaymentSort.Amount,
            nameof(Payment.Kind) => PaymentSort.Kind,
            nameof(Payment.Status) => PaymentSort.Status,
            _ => PaymentSort.Date,
        };
        var page = await Desk.GetPaymentsAsync(UserId, state.Page, state.PageSize, by, sort?.Descending ?? true, cancellationToken);
        loaded = true;
        return new GridData<Payment> { Items = page.Payments, TotalItems = page.Total };
    }

    private static string KindLabel(PaymentKind kind) => kind switch
    {
        PaymentKind.TopUp => "Top-up",
        PaymentKind.AutoTopUp => "Auto top-up",
        PaymentKind.Verification => "Card verification",
        _ => kind.ToString(),
    };

    private static Color StatusColor(PaymentStatus status) => status switch
    {
        PaymentStatus.Succeeded => Color.Success,
        PaymentStatus.Failed => Color.Error,
        PaymentStatus.Pending => Color.Info,
        _ => Color.Default,
    };
}
