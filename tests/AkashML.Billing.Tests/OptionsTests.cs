namespace AkashML.Billing.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid_without_stripe()
    {
        Assert.True(new BillingOptionsValidator().Validate(null, new BillingOptions()).Succeeded);
    }

    [Fact]
    public void The_validator_reports_every_problem_at_once()
    {
        var options = new BillingOptions
        {
            TrialCreditsUsd = -1,
            TopUp = { MinimumUsd = 10, MaximumUsd = 5 },
            Stripe = { SecretKey = "sk_test_x", ApiBase = "not a url", WebhookSecret = "", Currency = "eur" },
        };
        var result = new BillingOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("TrialCreditsUsd", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaximumUsd", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ApiBase", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("WebhookSecret", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Currency", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SuccessUrl", StringComparison.Ordinal));
    }
}
