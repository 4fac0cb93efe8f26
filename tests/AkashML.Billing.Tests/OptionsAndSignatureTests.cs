using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AkashML.Billing.Stripe;

namespace AkashML.Billing.Tests;

public sealed class OptionsAndSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

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
            Stripe = { SecretKey = "sk_test_x", BaseUrl = "not a url", WebhookSecret = "", Currency = "eur" },
        };
        var result = new BillingOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("TrialCreditsUsd", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaximumUsd", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("BaseUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("WebhookSecret", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Currency", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SuccessUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_correct_signature_within_tolerance_verifies()
    {
        const string payload = """{"id":"evt_1"}""";
        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(payload, Header("whsec_a", Now.AddMinutes(-4), payload), "whsec_a", Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Any_of_several_v1_signatures_may_match_during_secret_rotation()
    {
        const string payload = "{}";
        var old = Header("whsec_old", Now, payload);
        var current = Header("whsec_new", Now, payload);
        var combined = old + "," + current[(current.IndexOf(',', StringComparison.Ordinal) + 1)..];
        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(payload, combined, "whsec_new", Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Wrong_secret_tampered_body_old_timestamp_and_garbage_are_rejected()
    {
        const string payload = """{"id":"evt_1"}""";
        var tolerance = TimeSpan.FromMinutes(5);
        Assert.Equal(SignatureCheck.Mismatch, StripeSignature.Verify(payload, Header("whsec_other", Now, payload), "whsec_a", Now, tolerance));
        Assert.Equal(SignatureCheck.Mismatch, StripeSignature.Verify(payload + " ", Header("whsec_a", Now, payload), "whsec_a", Now, tolerance));
        Assert.Equal(SignatureCheck.OutsideTolerance, StripeSignature.Verify(payload, Header("whsec_a", Now.AddMinutes(-6), payload), "whsec_a", Now, tolerance));
        Assert.Equal(SignatureCheck.Missing, StripeSignature.Verify(payload, null, "whsec_a", Now, tolerance));
        Assert.Equal(SignatureCheck.Malformed, StripeSignature.Verify(payload, "t=abc,v1=zz", "whsec_a", Now, tolerance));
        Assert.Equal(SignatureCheck.Malformed, StripeSignature.Verify(payload, "v1=" + new string('0', 64), "whsec_a", Now, tolerance));
    }

    private static string Header(string secret, DateTimeOffset at, string payload)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + payload)))}";
    }
}
