using System.Globalization;
using AkashML.Billing;
using AkashML.Billing.Prices;
using AkashML.Data.Billing;
using AkashML.Web.Billing;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// The auto top-up settings. The fields are validated beside themselves when it is being turned on; the billing service
/// has the last word (a saved card, the top-up limits) and its refusal shows under the form.
/// </summary>
public sealed partial class AutoTopUpForm
{
    private MudForm? form;
    private bool enabled;
    private string? threshold;
    private string? amount;
    private string? refusal;
    private bool saving;
    private (bool Enabled, long ThresholdMicros, long AmountMicros)? shown;

    [Inject] public required BillingDesk Desk { get; init; }

    [Inject] public required IOptions<BillingOptions> Options { get; init; }

    [Inject] public required ISnackbar Snackbar { get; init; }

    [Parameter, EditorRequired] public string UserId { get; set; } = "";

    [Parameter] public BillingAccount? Account { get; set; }

    /// <summary>Raised after the settings were stored, so the page re-reads the account.</summary>
    [Parameter] public EventCallback Saved { get; set; }

    private int MaxDeclines => Options.Value.AutoTopUp.MaxDeclines;

    protected override void OnParametersSet()
    {
        // The fields follow the stored settings when those change (a save here or elsewhere), never on a mere refresh
        // of the page, which would wipe what is being typed.
        var stored = (Account?.AutoTopUpEnabled ?? false, Account?.AutoTopUpThresholdMicros ?? 0, Account?.AutoTopUpAmountMicros ?? 0);
        if (shown == stored && threshold is not null)
        {
            return;
        }

        shown = stored;
        enabled = stored.Item1;
        threshold = stored.Item3 > 0 ? Money.FormatUsd(stored.Item2) : "5.00";
        amount = stored.Item3 > 0
            ? Money.FormatUsd(stored.Item3)
            : Math.Clamp(25m, Options.Value.TopUp.MinimumUsd, Options.Value.TopUp.MaximumUsd).ToString("0.00", CultureInfo.InvariantCulture);
    }

    private string? ValidateThreshold(string? text) => enabled ? Parse(text, out _) : null;

    private string? ValidateAmount(string? text)
    {
        if (!enabled)
        {
            return null;
        }

        if (Parse(text, out var usd) is { } error)
        {
            return error;
        }

        var limits = Options.Value.TopUp;
        return usd < limits.MinimumUsd || usd > limits.MaximumUsd
            ? string.Create(CultureInfo.InvariantCulture, $"The amount must be between ${limits.MinimumUsd:0.00} and ${limits.MaximumUsd:0.00}.")
            : null;
    }

    private async Task SaveAsync()
    {
        refusal = null;
        if (form is null)
        {
            return;
        }

        await form.ValidateAsync();
        if (!form.IsValid)
        {
            return;
        }

        Parse(threshold, out var thresholdUsd);
        Parse(amount, out var amountUsd);
        saving = true;
        try
        {
            refusal = await Desk.ConfigureAutoTopUpAsync(UserId, enabled, thresholdUsd, amountUsd, CancellationToken.None);
            if (refusal is not null)
            {
                return;
            }

            Snackbar.Add(enabled
                ? $"Auto top-up is on: {DisplayFormat.Usd(Money.UsdToMicros(amountUsd))} whenever your balance falls below {DisplayFormat.Usd(Money.UsdToMicros(thresholdUsd))}."
                : "Auto top-up is off.", Severity.Success);
            await Saved.InvokeAsync();
        }
        finally
        {
            saving = false;
        }
    }

    /// <summary>An amount typed by a person: USD in whole cents, a leading $ allowed.</summary>
    private static string? Parse(string? text, out decimal usd)
    {
        usd = 0;
        var trimmed = text?.Trim().TrimStart('$').Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Enter an amount in USD.";
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out usd))
        {
            return $"'{text}' is not an amount in USD, e.g. 10 or 10.50.";
        }

        return usd * 100 == decimal.Truncate(usd * 100) ? null : "Use whole cents.";
    }
}
