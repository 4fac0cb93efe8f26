using System.Globalization;
using AkashML.Billing;
using AkashML.Billing.Prices;
using AkashML.Billing.TopUp;
using AkashML.Web.Accounts;
using AkashML.Web.Billing;
using AkashML.Web.Components.Layout;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// <c>/billing</c>: balance, top-up through Stripe Checkout, the trial for verifying a card, auto top-up, pools, the
/// ledger and payments. It follows the balance live: this process's changes arrive on <see cref="AccountChanges"/>, a
/// Stripe webhook (its processor does not say whose money moved) and other processes' changes within the app bar's poll.
/// </summary>
public sealed partial class BillingPage : IDisposable
{
    private static readonly int[] SuggestedAmounts = [10, 25, 50, 100];

    private readonly CancellationTokenSource stopping = new();
    private IDisposable? subscription;
    private string userId = "";
    private bool isAdministrator;
    private BillingSummary? summary;
    private MudForm? topUpForm;
    private string? topUpAmount;
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

    private long MinimumCents => Money.UsdToCents(Options.Value.TopUp.MinimumUsd);

    private long MaximumCents => Money.UsdToCents(Options.Value.TopUp.MaximumUsd);

    private long TrialMicros => Money.UsdToMicros(Options.Value.TrialCreditsUsd);

    private string? SupportEmail => string.IsNullOrWhiteSpace(Support.Value.Email) ? null : Support.Value.Email.Trim();

    private IEnumerable<int> Presets => SuggestedAmounts.Where(a => a >= Options.Value.TopUp.MinimumUsd && a <= Options.Value.TopUp.MaximumUsd);

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
        topUpAmount = PresetText(DefaultTopUp());
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

    private string? ValidateTopUp(string? text)
    {
        var trimmed = text?.Trim().TrimStart('$').Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Enter an amount in USD, e.g. 25.";
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd))
        {
            return $"'{text}' is not an amount in USD, e.g. 25 or 25.50.";
        }

        var limits = Options.Value.TopUp;
        if (usd < limits.MinimumUsd || usd > limits.MaximumUsd)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The amount must be between ${limits.MinimumUsd:0.00} and ${limits.MaximumUsd:0.00}.");
        }

        return usd * 100 != decimal.Truncate(usd * 100) ? "The amount must be in whole cents." : null;
    }

    private async Task PickPresetAsync(int usd)
    {
        topUpAmount = PresetText(usd);
        topUpError = null;
        if (topUpForm is not null)
        {
            await topUpForm.ValidateAsync();
        }
    }

    private async Task TopUpAsync()
    {
        topUpError = null;
        if (topUpForm is null)
        {
            return;
        }

        await topUpForm.ValidateAsync();
        if (!topUpForm.IsValid)
        {
            return;
        }

        var usd = decimal.Parse(topUpAmount!.Trim().TrimStart('$').Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
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

    private decimal DefaultTopUp() => Math.Clamp(25m, Options.Value.TopUp.MinimumUsd, Options.Value.TopUp.MaximumUsd);

    private static string PresetText(decimal usd) => usd.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public void Dispose()
    {
        subscription?.Dispose();
        stopping.Cancel();
        stopping.Dispose();
    }
}
