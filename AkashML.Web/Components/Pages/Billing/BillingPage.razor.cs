using AkashML.Billing;
using AkashML.Billing.Prices;
using AkashML.Billing.TopUp;
using AkashML.Web.Accounts;
using AkashML.Web.Billing;
using AkashML.Web.Components.Layout;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// <c>/billing</c>: balance, top-up through Stripe Checkout, the trial for verifying a card, auto top-up, pools, the
/// ledger and payments. It follows the balance live: this process's changes arrive on <see cref="AccountChanges"/>, a
/// Stripe webhook (its processor does not say whose money moved) and other processes' changes within the app bar's poll.
/// </summary>
public sealed partial class BillingPage : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private IDisposable? subscription;
    private string userId = "";
    private bool isAdministrator;
    private BillingSummary? summary;
    private string? topUpError;
    private string? verifyError;
    private bool busy;
    private LedgerGrid? ledger;
    private PaymentsGrid? payments;

    [Inject] public required BillingDesk Desk { get; init; }

    [Inject] public required BalanceReader Balances { get; init; }

    [Inject] public required AccountChanges Changes { get; init; }

    [Inject] public required SignedInUser User { get; init; }

    [Inject] public required IOptions<BillingOptions> Options { get; init; }

    [Inject] public required IOptions<SupportOptions> Support { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    private bool PaymentsEnabled => Options.Value.Stripe.Enabled;

    private long TrialMicros => Money.UsdToMicros(Options.Value.TrialCreditsUsd);

    private string CardText => summary?.Account switch
    {
        { PaymentMethodId: not null, CardLast4: { } last4 } account => $"{Capitalize(account.CardBrand ?? "Card")} •••• {last4}",
        { PaymentMethodId: not null } => "Card saved",
        _ => "None",
    };

    protected override async Task OnInitializedAsync()
    {
        var principal = await User.GetPrincipalAsync();
        userId = await User.GetIdAsync();
        isAdministrator = principal.IsInRole(AccountProvisioning.AdministratorRole);
        summary = await Desk.GetSummaryAsync(userId, stopping.Token);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            subscription = Changes.Subscribe(userId, () => InvokeAsync(RefreshAsync));
            _ = PollAsync(stopping.Token);
        }
    }

    /// <summary>
    /// Re-reads the balance on the app bar's interval and refreshes the page when it moved: a webhook's credit is not
    /// published to the change feed, and other processes never publish here.
    /// </summary>
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(AppBarBalance.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var usable = await Balances.GetUsableMicrosAsync(userId, cancellationToken);
                if (summary is null || usable != summary.Balance.UsableMicros)
                {
                    await InvokeAsync(RefreshAsync);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private async Task RefreshAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        summary = await Desk.GetSummaryAsync(userId, stopping.Token);
        StateHasChanged();
        if (ledger is not null)
        {
            await ledger.ReloadAsync();
        }

        if (payments is not null)
        {
            await payments.ReloadAsync();
        }
    }

    private async Task TopUpAsync(decimal usd)
    {
        topUpError = null;
        busy = true;
        try
        {
            var result = await Desk.StartTopUpAsync(userId, usd, stopping.Token);
            if (result is { Status: CheckoutStatus.Created, Url: { } url })
            {
                // Checkout is Stripe's page: leave the circuit for it.
                Navigation.NavigateTo(url, forceLoad: true);
                return;
            }

            topUpError = result.Error ?? "The payment could not be started.";
        }
        finally
        {
            busy = false;
        }
    }

    private async Task VerifyCardAsync()
    {
        verifyError = null;
        busy = true;
        try
        {
            var result = await Desk.StartCardVerificationAsync(userId, stopping.Token);
            if (result is { Status: CheckoutStatus.Created, Url: { } url })
            {
                Navigation.NavigateTo(url, forceLoad: true);
                return;
            }

            verifyError = result.Error ?? "The verification could not be started.";
        }
        finally
        {
            busy = false;
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public void Dispose()
    {
        subscription?.Dispose();
        stopping.Cancel();
        stopping.Dispose();
    }
}
