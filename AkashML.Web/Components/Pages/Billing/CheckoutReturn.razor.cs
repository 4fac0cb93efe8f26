using AkashML.Data.Billing;
using AkashML.Web.Billing;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// <c>/billing/success</c>, where Stripe Checkout returns after paying or saving a card. The credits come from the
/// webhook, not from this visit: the page shows what the webhook has applied and looks again every second or so while
/// it is still pending.
/// </summary>
public sealed partial class CheckoutReturn : IDisposable
{
    private static readonly TimeSpan PendingRecheck = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stopping = new();
    private string userId = "";
    private long balanceMicros;
    private Payment? payment;

    [Inject] public required BillingDesk Desk { get; init; }

    [Inject] public required BalanceReader Balances { get; init; }

    [Inject] public required SignedInUser User { get; init; }

    [SupplyParameterFromQuery(Name = "session_id")] public string? SessionId { get; set; }

    private string State => payment switch
    {
        null => "unknown",
        { Status: PaymentStatus.Pending } => "pending",
        { Status: PaymentStatus.Succeeded, Kind: PaymentKind.Verification } => "verified",
        { Status: PaymentStatus.Succeeded } => "credited",
        _ => "failed",
    };

    private string Title => State switch
    {
        "credited" => "Payment received",
        "verified" => "Card verified",
        "pending" => "Confirming your payment…",
        "failed" => "The payment did not go through",
        _ => "Checkout not found",
    };

    private string Lead => State switch
    {
        "credited" => $"{DisplayFormat.Usd(payment!.CreditedMicros)} was added to your balance. Thank you!",
        "verified" => payment!.PoolId is not null
            ? "Your card is saved and your free trial credits were added."
            : "Your card is saved for top-ups. Trial credits are granted once per person and per card, so none were added this time.",
        "pending" => "Stripe is confirming with us. This page updates by itself in a moment.",
        "failed" => payment?.FailureMessage ?? "Stripe reported a failure. Nothing was charged.",
        _ => "We could not find this checkout for your account. If you paid, the credits appear on the billing page as soon as Stripe confirms.",
    };

    private string Icon => State switch
    {
        "credited" or "verified" => MudBlazor.Icons.Material.Filled.CheckCircle,
        "pending" => MudBlazor.Icons.Material.Filled.HourglassTop,
        "failed" => MudBlazor.Icons.Material.Filled.Error,
        _ => MudBlazor.Icons.Material.Filled.Help,
    };

    private string Tone => State switch
    {
        "credited" or "verified" => "is-success",
        "failed" => "is-danger",
        _ => "",
    };

    protected override async Task OnInitializedAsync()
    {
        userId = await User.GetIdAsync();
        await LoadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && State == "pending")
        {
            _ = WatchAsync(stopping.Token);
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PendingRecheck);
        try
        {
            while (State == "pending" && await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private async Task LoadAsync()
    {
        if (!string.IsNullOrEmpty(SessionId))
        {
            payment = await Desk.FindCheckoutAsync(userId, SessionId, stopping.Token);
        }

        balanceMicros = await Balances.GetUsableMicrosAsync(userId, stopping.Token);
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
