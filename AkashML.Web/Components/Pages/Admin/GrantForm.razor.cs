using System.Globalization;
using AkashML.Billing.Prices;
using AkashML.Web.Admin;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary>
/// The grant form of the admin's user page. Every field says what is wrong beside itself; a grant goes through
/// <see cref="AdminDesk.GrantAsync"/>, which tells the user's open dashboards.
/// </summary>
public sealed partial class GrantForm
{
    public const int MaxReasonLength = 500;

    private MudForm? form;
    private string? amount;
    private string? expires;
    private string? reason;
    private string? refusal;
    private bool busy;

    [Inject] public required AdminDesk Desk { get; init; }

    [Inject] public required SignedInUser SignedIn { get; init; }

    [Inject] public required ISnackbar Snackbar { get; init; }

    [Parameter, EditorRequired] public string UserId { get; set; } = "";

    [Parameter, EditorRequired] public string UserEmail { get; set; } = "";

    /// <summary>Raised after a grant, so the page re-reads the balance.</summary>
    [Parameter] public EventCallback Granted { get; set; }

    private string? ValidateAmount(string? text) => ParseAmount(text, out _);

    private string? ValidateExpiry(string? text) => ParseExpiry(text, out _);

    private static string? ValidateReason(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "Say why: the user sees it in their ledger."
        : text.Trim().Length > MaxReasonLength ? $"Keep the reason under {MaxReasonLength} characters."
        : null;

    private async Task GrantAsync()
    {
        refusal = null;
        if (form is null)
        {
            return;
        }

        await form.ValidateAsync();
        if (!form.IsValid || ParseAmount(amount, out var micros) is not null || ParseExpiry(expires, out var expiresAt) is not null)
        {
            return;
        }

        var principal = await SignedIn.GetPrincipalAsync();
        var grantedBy = principal.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value ?? principal.Identity?.Name ?? "an administrator";
        busy = true;
        try
        {
            var outcome = await Desk.GrantAsync(UserId, micros, expiresAt, reason!.Trim(), grantedBy, CancellationToken.None);
            if (outcome == GrantOutcome.UnknownUser)
            {
                refusal = "This user no longer exists.";
                return;
            }

            Snackbar.Add($"Granted {DisplayFormat.Usd(micros)} to {UserEmail}" + (expiresAt is { } e ? $", expiring {DisplayFormat.Time(e)}." : "."), Severity.Success);
            // Empty fields without complaints, ready for the next grant.
            await form.ResetAsync();
            await Granted.InvokeAsync();
        }
        finally
        {
            busy = false;
        }
    }

    private static string? ParseAmount(string? text, out long micros)
    {
        micros = 0;
        var trimmed = text?.Trim().TrimStart('$').Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Enter an amount in USD, e.g. 10.";
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd))
        {
            return $"'{text}' is not an amount in USD, e.g. 10 or 2.50.";
        }

        if (usd <= 0 || usd > AdminDesk.MaxGrantUsd)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The amount must be more than $0 and at most ${AdminDesk.MaxGrantUsd:#,0}.");
        }

        if (usd * Money.MicrosPerUsd != decimal.Truncate(usd * Money.MicrosPerUsd))
        {
            return "At most six decimals (one micro-dollar).";
        }

        micros = Money.UsdToMicros(usd);
        return null;
    }

    private string? ParseExpiry(string? text, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return "Use a date like 2027-01-31.";
        }

        var end = Desk.EndOfDay(day);
        if (end <= Desk.Now)
        {
            return "The expiry must be today or later.";
        }

        expiresAt = end;
        return null;
    }
}
