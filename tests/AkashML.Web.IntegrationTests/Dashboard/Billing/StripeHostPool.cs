using System.Collections.Concurrent;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Dashboard.Billing;

/// <summary>A host with Stripe configured against its own <see cref="FakeStripe"/>, whose events reach the host's webhook.</summary>
public sealed record StripeHost(AkashWebHost Host, FakeStripe Stripe);

/// <summary>
/// A class fixture: one host per database kind, each paired with a Stripe fake. Checkout returns to the host's
/// /billing/success and /billing/cancel pages; the fake delivers signed events through the in-process server.
/// </summary>
public sealed class StripeHostPool : IAsyncLifetime
{
    /// <summary>The top-up limits the hosts run with.</summary>
    public const decimal MinimumUsd = 5m;

    public const decimal MaximumUsd = 500m;

    private readonly ConcurrentDictionary<DatabaseKind, Lazy<Task<StripeHost>>> _hosts = new();

    public Task<StripeHost> GetAsync(DatabaseKind kind) =>
        _hosts.GetOrAdd(kind, k => new Lazy<Task<StripeHost>>(() => StartAsync(k))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _hosts.Values.Where(h => h.IsValueCreated))
        {
            try
            {
                var started = await lazy.Value;
                await started.Host.DisposeAsync();
                await started.Stripe.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // It never started; the test that asked for it has reported why.
            }
        }
    }

    private static async Task<StripeHost> StartAsync(DatabaseKind kind)
    {
        var stripe = await FakeStripe.StartAsync();
        try
        {
            var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?>
            {
                ["Billing:InstanceId"] = "dash-" + Guid.NewGuid().ToString("N"),
                ["Billing:Stripe:ApiBase"] = stripe.BaseUrl,
                ["Billing:Stripe:SecretKey"] = FakeStripe.TestSecretKey,
                ["Billing:Stripe:WebhookSecret"] = FakeStripe.TestWebhookSecret,
                ["Billing:TopUp:MinimumUsd"] = MinimumUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Billing:TopUp:MaximumUsd"] = MaximumUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Billing:TopUp:SuccessUrl"] = new Uri(AkashWebHost.BaseAddress, "billing/success?session_id={CHECKOUT_SESSION_ID}").ToString().Replace("%7B", "{", StringComparison.Ordinal).Replace("%7D", "}", StringComparison.Ordinal),
                ["Billing:TopUp:CancelUrl"] = new Uri(AkashWebHost.BaseAddress, "billing/cancel").ToString(),
                ["Billing:TrialCreditsUsd"] = "1.00",
                ["Billing:AutoTopUp:RetryAfter"] = "00:00:00",
            });
            stripe.WebhookUrl = new Uri(AkashWebHost.BaseAddress, "stripe/webhook").ToString();
            stripe.WebhookClient = new HttpMessageInvoker(host.Server.CreateHandler());
            return new StripeHost(host, stripe);
        }
        catch
        {
            await stripe.DisposeAsync();
            throw;
        }
    }
}
