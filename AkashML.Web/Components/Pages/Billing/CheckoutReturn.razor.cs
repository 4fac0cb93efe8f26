using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// <c>/billing/success</c>, where Stripe Checkout returns after paying or saving a card. The credits come from the
/// webhook, not from this visit: the page shows what the webhook has applied and refreshes while it is still pending.
/// </summary>
public sealed partial class CheckoutReturn
{
    [Inject] public required AkashDbContext Db { get; init; }

    [Inject] public required CreditLedger Ledger { get; init; }

    [Inject] public required UserManager<ApplicationUser> Users { get; init; }

    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "session_id")] public string? SessionId { get; set; }

    private string State { get; set; } = "unknown";

    private long BalanceMicros { get; set; }

    private Payment? Payment { get; set; }

    private bool TrialGranted { get; set; }

    private bool Waiting => State == "pending";

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
        "credited" => $"{DisplayFormat.Usd(Payment!.CreditedMicros)} was added to your balance. Thank you!",
        "verified" => TrialGranted
            ? "Your card is saved and your free trial credits were added."
            : "Your card is saved for top-ups. Trial credits are granted once per person and per card, so none were added this time.",
        "pending" => "Stripe is confirming with us. This page updates by itself in a moment.",
        "failed" => Payment?.FailureMessage ?? "Stripe reported a failure. Nothing was charged.",
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
        var userId = Users.GetUserId(HttpContext.User) ?? throw new InvalidOperationException("This page needs a signed-in user.");
        var ct = HttpContext.RequestAborted;
        if (!string.IsNullOrEmpty(SessionId))
        {
            Payment = await Db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.CheckoutSessionId == SessionId && p.UserId == userId, ct);
        }

        State = Payment switch
        {
            null => "unknown",
            { Status: PaymentStatus.Pending } => "pending",
            { Status: PaymentStatus.Succeeded, Kind: PaymentKind.Verification } => "verified",
            { Status: PaymentStatus.Succeeded } => "credited",
            _ => "failed",
        };
        if (State == "verified")
        {
            TrialGranted = Payment!.PoolId is not null;
        }

        BalanceMicros = (await Ledger.GetBalanceAsync(userId, ct)).UsableMicros;
    }
}
