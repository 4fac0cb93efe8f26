using System.Globalization;
using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using AkashML.Billing.TopUp;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Web.Admin;
using AkashML.Web.Components.Account;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary>
/// <c>/admin/users/{id}</c>: one user's balance, pools and payments, and the credit grant form
/// (<see cref="CreditLedger.GrantAsync"/> with <see cref="CreditSource.AdminGrant"/>).
/// </summary>
public sealed partial class AdminUser
{
    /// <summary>The largest single grant the form accepts.</summary>
    public const decimal MaxGrantUsd = 100_000m;

    [Inject] public required UserDirectory Directory { get; init; }

    [Inject] public required CreditLedger Ledger { get; init; }

    [Inject] public required TopUpService TopUps { get; init; }

    [Inject] public required UserManager<ApplicationUser> Users { get; init; }

    [Inject] public required TimeProvider Clock { get; init; }

    [Inject] internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    [Parameter] public string UserId { get; set; } = "";

    [SupplyParameterFromForm(FormName = "grant")] public GrantInput? Grant { get; set; }

    private AdminUserRow? User { get; set; }

    private CreditBalance Balance { get; set; } = new(0, 0, []);

    private IReadOnlyList<Payment> Payments { get; set; } = [];

    private string? AmountError { get; set; }

    private string? ExpiresError { get; set; }

    private string? ReasonError { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Grant ??= new GrantInput();
        var ct = HttpContext.RequestAborted;
        User = await Directory.FindAsync(UserId, ct);
        if (User is null)
        {
            return;
        }

        Balance = await Ledger.GetBalanceAsync(User.Id, ct);
        Payments = await TopUps.ListPaymentsAsync(User.Id, 20, ct);
    }

    private async Task GrantAsync()
    {
        if (User is null)
        {
            return;
        }

        var input = Grant ?? new GrantInput();
        var micros = ParseAmount(input.Amount);
        var expires = ParseExpiry(input.Expires);
        var reason = input.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            ReasonError = "Say why: the user sees it in their ledger.";
        }
        else if (reason.Length > 500)
        {
            ReasonError = "Keep the reason under 500 characters.";
        }

        if (AmountError is not null || ExpiresError is not null || ReasonError is not null)
        {
            return;
        }

        var admin = Users.GetUserName(HttpContext.User) ?? "an administrator";
        try
        {
            await Ledger.GrantAsync(User.Id, CreditSource.AdminGrant, micros, expires, reason, "granted by " + admin, HttpContext.RequestAborted);
        }
        catch (UnknownUserException)
        {
            AmountError = "This user no longer exists.";
            return;
        }

        RedirectManager.RedirectToWithStatus($"admin/users/{Uri.EscapeDataString(User.Id)}",
            $"Granted {DisplayFormat.Usd(micros)} to {User.Email}" + (expires is { } e ? $", expiring {DisplayFormat.Time(e)}." : "."), HttpContext);
    }

    private long ParseAmount(string? text)
    {
        var trimmed = text?.Trim().TrimStart('$') ?? "";
        if (trimmed.Length == 0)
        {
            AmountError = "Enter an amount in USD, e.g. 10.";
            return 0;
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd))
        {
            AmountError = $"'{text}' is not an amount in USD, e.g. 10 or 2.50.";
            return 0;
        }

        if (usd <= 0 || usd > MaxGrantUsd)
        {
            AmountError = string.Create(CultureInfo.InvariantCulture, $"The amount must be more than $0 and at most ${MaxGrantUsd:#,0}.");
            return 0;
        }

        if (usd * Money.MicrosPerUsd != decimal.Truncate(usd * Money.MicrosPerUsd))
        {
            AmountError = "At most six decimals (one micro-dollar).";
            return 0;
        }

        return Money.UsdToMicros(usd);
    }

    private DateTimeOffset? ParseExpiry(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            ExpiresError = "Use a date like 2027-01-31.";
            return null;
        }

        // Usable through the whole chosen day (UTC).
        var expires = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        if (expires <= Clock.GetUtcNow())
        {
            ExpiresError = "The expiry must be today or later.";
            return null;
        }

        return expires;
    }

    public sealed class GrantInput
    {
        public string? Amount { get; set; }

        public string? Expires { get; set; }

        public string? Reason { get; set; }
    }
}
