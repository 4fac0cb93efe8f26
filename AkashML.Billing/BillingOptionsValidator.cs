namespace AkashML.Billing;

/// <summary>Checks the whole <c>Billing</c> section at start and reports every problem at once.</summary>
public sealed class BillingOptionsValidator : IValidateOptions<BillingOptions>
{
    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.TrialCreditsUsd < 0 || !WholeMicros(options.TrialCreditsUsd))
        {
            failures.Add("Billing:TrialCreditsUsd must be zero or positive, with at most six decimals.");
        }

        RequirePositive(failures, options.TrialValidity, "Billing:TrialValidity");
        RequirePositive(failures, options.StaleReservationAfter, "Billing:StaleReservationAfter");
        RequirePositive(failures, options.MaintenanceInterval, "Billing:MaintenanceInterval");
        RequirePositive(failures, options.LedgerCheckInterval, "Billing:LedgerCheckInterval");

        var topUp = options.TopUp;
        if (topUp.MinimumUsd <= 0 || !WholeCents(topUp.MinimumUsd))
        {
            failures.Add("Billing:TopUp:MinimumUsd must be positive whole cents.");
        }

        if (topUp.MaximumUsd < topUp.MinimumUsd || !WholeCents(topUp.MaximumUsd) || topUp.MaximumUsd > 1_000_000m)
        {
            failures.Add("Billing:TopUp:MaximumUsd must be whole cents, at least MinimumUsd and at most 1000000.");
        }

        if (options.AutoTopUp.MaxDeclines < 1)
        {
            failures.Add("Billing:AutoTopUp:MaxDeclines must be at least 1.");
        }

        if (options.AutoTopUp.RetryAfter < TimeSpan.Zero)
        {
            failures.Add("Billing:AutoTopUp:RetryAfter must not be negative.");
        }

        var stripe = options.Stripe;
        if (stripe.Enabled)
        {
            if (!Uri.TryCreate(stripe.ApiBase, UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("https" or "http"))
            {
                failures.Add("Billing:Stripe:ApiBase must be an absolute http(s) URL.");
            }

            if (string.IsNullOrWhiteSpace(stripe.WebhookSecret))
            {
                failures.Add("Billing:Stripe:WebhookSecret is required when Billing:Stripe:SecretKey is set (the webhook endpoint's signing secret, whsec_…).");
            }

            if (!string.Equals(stripe.Currency, "usd", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add("Billing:Stripe:Currency must be usd: credits are US dollars.");
            }

            RequirePositive(failures, stripe.WebhookTolerance, "Billing:Stripe:WebhookTolerance");
            RequirePositive(failures, stripe.Timeout, "Billing:Stripe:Timeout");
            RequireAbsolute(failures, topUp.SuccessUrl, "Billing:TopUp:SuccessUrl");
            RequireAbsolute(failures, topUp.CancelUrl, "Billing:TopUp:CancelUrl");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool WholeMicros(decimal usd) => usd * 1_000_000 == decimal.Truncate(usd * 1_000_000);

    private static bool WholeCents(decimal usd) => usd * 100 == decimal.Truncate(usd * 100);

    private static void RequirePositive(List<string> failures, TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be a positive duration (hh:mm:ss or d.hh:mm:ss).");
        }
    }

    private static void RequireAbsolute(List<string> failures, string value, string key)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            failures.Add($"{key} must be an absolute http(s) URL when Stripe is configured.");
        }
    }
}
