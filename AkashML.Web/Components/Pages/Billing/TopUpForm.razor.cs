using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// The top-up amount form. It refuses what the billing service would refuse (not a number, outside the limits, part
/// of a cent) beside the field, so only a valid amount reaches <see cref="OnTopUp"/>.
/// </summary>
public sealed partial class TopUpForm
{
    private static readonly decimal[] SuggestedAmounts = [10, 25, 50, 100];

    private MudForm? form;
    private string? amount;

    [Parameter, EditorRequired] public decimal MinimumUsd { get; set; }

    [Parameter, EditorRequired] public decimal MaximumUsd { get; set; }

    /// <summary>Why the last valid amount could not start a checkout (Stripe refused or is unreachable).</summary>
    [Parameter] public string? Error { get; set; }

    [Parameter] public bool Busy { get; set; }

    /// <summary>Raised with a valid amount in USD.</summary>
    [Parameter] public EventCallback<decimal> OnTopUp { get; set; }

    private IEnumerable<decimal> Presets => SuggestedAmounts.Where(a => a >= MinimumUsd && a <= MaximumUsd);

    protected override void OnInitialized() => amount = Text(Math.Clamp(25m, MinimumUsd, MaximumUsd));

    /// <summary>Null for a valid amount, otherwise what is wrong with it, in the words the field shows.</summary>
    public string? Validate(string? text) => Parse(text, out _);

    private string? Parse(string? text, out decimal usd)
    {
        usd = 0;
        var trimmed = text?.Trim().TrimStart('$').Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Enter an amount in USD, e.g. 25.";
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out usd))
        {
            return $"'{text}' is not an amount in USD, e.g. 25 or 25.50.";
        }

        if (usd < MinimumUsd || usd > MaximumUsd)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The amount must be between ${MinimumUsd:0.00} and ${MaximumUsd:0.00}.");
        }

        return usd * 100 != decimal.Truncate(usd * 100) ? "The amount must be in whole cents." : null;
    }

    private async Task PickAsync(decimal usd)
    {
        amount = Text(usd);
        if (form is not null)
        {
            await form.ValidateAsync();
        }
    }

    private async Task SubmitAsync()
    {
        if (form is null)
        {
            return;
        }

        await form.ValidateAsync();
        if (form.IsValid && Parse(amount, out var usd) is null)
        {
            await OnTopUp.InvokeAsync(usd);
        }
    }

    /// <summary>Enter in the amount does what it does in any form: continue.</summary>
    private Task SubmitOnEnterAsync(KeyboardEventArgs e) => e.Key == "Enter" && !Busy ? SubmitAsync() : Task.CompletedTask;

    private static string Text(decimal usd) => usd.ToString("0.##", CultureInfo.InvariantCulture);
}
