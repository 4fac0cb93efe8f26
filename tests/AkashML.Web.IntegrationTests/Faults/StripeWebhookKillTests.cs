using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Billing.Prices;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Billing.TopUp;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// The host killed (SIGKILL) while Stripe delivers the completion events of many top-ups at once. Stripe redelivers every
/// event not answered with 2xx (and may redeliver answered ones); after a restart on the same database each top-up is
/// credited exactly once, every payment ends succeeded and the ledger sums to the pools.
/// </summary>
public sealed class StripeWebhookKillTests(ITestOutputHelper output)
{
    private const int TopUps = 30;

    // The kill comes once this many of the 60 deliveries have been answered (a fixed delay mostly lands before a cold
    // host answers its first webhook); a warm host answers the rest of the burst quickly, so these are all early.
    private static readonly int[] KillAfterAcknowledged = [1, 4, 12];

    [Theory, SqliteData, PostgresData]
    public async Task Top_ups_whose_webhooks_a_kill_cut_are_credited_exactly_once_after_redelivery(DatabaseKind kind)
    {
        await using var stripe = await FakeStripe.StartAsync();
        // An in-process host opens the checkouts (the billing page's own code) and reads the outcome; the killed host is another process.
        await using var setup = await AkashWebHost.StartAsync(kind, StripeSettings(stripe, "setup"));
        var users = await setup.WithServicesAsync(async services =>
        {
            var provisioning = services.GetRequiredService<AccountProvisioning>();
            var ids = new List<string>();
            for (var i = 0; i < TopUps; i++)
            {
                ids.Add((await provisioning.CreateConfirmedUserAsync(AccountFlows.NewEmail("webhook-kill"), null, admin: false)).Id);
            }

            return ids;
        });
        var hostSettings = StripeSettings(stripe, "killed-" + Guid.NewGuid().ToString("N"));
        var everyEvent = new List<StripeEvent>();
        var cut = 0;

        foreach (var killAfter in KillAfterAcknowledged)
        {
            var events = new List<StripeEvent>();
            for (var i = 0; i < TopUps; i++)
            {
                var usd = 5m + i;
                var checkout = await setup.WithServicesAsync(services => services.GetRequiredService<TopUpService>().CreateTopUpCheckoutAsync(users[i], usd, CancellationToken.None));
                Assert.Equal(CheckoutStatus.Created, checkout.Status);
                var paid = await stripe.CompleteCheckoutAsync(checkout.SessionId!, new TestCard("fp_kill_" + users[i]), sendEvents: false);
                events.Add(new StripeEvent("evt_kill_" + Guid.NewGuid().ToString("N"), "checkout.session.completed", stripe.SessionView(checkout.SessionId!)));
                events.Add(new StripeEvent("evt_kill_" + Guid.NewGuid().ToString("N"), "payment_intent.succeeded", stripe.Object(paid.PaymentIntentId!).DeepClone().AsObject()));
            }

            // Stripe sends them in no particular order, many at once.
            events = [.. events.OrderBy(_ => Random.Shared.Next())];
            everyEvent.AddRange(events);

            int[] statuses;
            await using (var host = await HostProcess.StartAsync(setup.Database, hostSettings))
            {
                stripe.WebhookUrl = new Uri(host.Address, "stripe/webhook").ToString();
                var answered = 0;
                var deliveries = events.Select(e => Task.Run(async () =>
                {
                    var status = await DeliverAsync(stripe, e);
                    if (status is >= 200 and < 300 && Interlocked.Increment(ref answered) == killAfter)
                    {
                        // Right here, not after a hop through the test's own continuation: the rest of the burst is in flight.
                        await host.KillAsync();
                    }

                    return status;
                })).ToArray();
                statuses = await Task.WhenAll(deliveries).WaitAsync(TimeSpan.FromMinutes(2));
            }

            var acknowledged = Enumerable.Range(0, events.Count).Where(i => statuses[i] is >= 200 and < 300).ToList();
            cut += events.Count - acknowledged.Count;
            var ids = events.Select(e => e.Id).ToList();
            var recorded = await setup.WithServicesAsync(services => services.GetRequiredService<AkashDbContext>().StripeEvents.CountAsync(r => ids.Contains(r.Id)));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind}, killed after {killAfter} answers: {acknowledged.Count} of {events.Count} deliveries acknowledged, {events.Count - acknowledged.Count} cut, "
                + $"{recorded - acknowledged.Count} of the cut ones handled and recorded before the kill (their answer lost)"));

            // Stripe retries what was not acknowledged, and sometimes what was.
            await using (var restarted = await HostProcess.StartAsync(setup.Database, hostSettings))
            {
                stripe.WebhookUrl = new Uri(restarted.Address, "stripe/webhook").ToString();
                var again = Enumerable.Range(0, events.Count).Where(i => !acknowledged.Contains(i)).Concat(acknowledged.Take(3)).Select(i => events[i]);
                var redelivered = await Task.WhenAll(again.Select(e => Task.Run(() => DeliverAsync(stripe, e))));
                Assert.All(redelivered, status => Assert.InRange(status, 200, 299));
            }
        }

        Assert.True(cut > 0, "no delivery was cut: the kills no longer land inside the burst");
        await AssertCreditedOnceAsync(setup, users, KillAfterAcknowledged.Length);
        Assert.Equal(everyEvent.Count, await setup.WithServicesAsync(services =>
        {
            var ids = everyEvent.Select(e => e.Id).ToList();
            return services.GetRequiredService<AkashDbContext>().StripeEvents.CountAsync(e => ids.Contains(e.Id));
        }));
    }

    /// <summary>
    /// The window a timed kill rarely hits, made certain: the handlers ran but the event id was never recorded (the
    /// process died between the two). The redelivery runs the handlers again and must credit nothing twice.
    /// </summary>
    [Theory, SqliteData, PostgresData]
    public async Task A_redelivered_event_whose_record_was_lost_credits_nothing_twice(DatabaseKind kind)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await AkashWebHost.StartAsync(kind, StripeSettings(stripe, "record-lost"));
        stripe.WebhookUrl = new Uri(AkashWebHost.BaseAddress, "stripe/webhook").ToString();
        stripe.WebhookClient = new HttpMessageInvoker(host.Server.CreateHandler());
        var userId = await host.WithServicesAsync(async services =>
            (await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("record-lost"), null, admin: false)).Id);
        var checkout = await host.WithServicesAsync(services => services.GetRequiredService<TopUpService>().CreateTopUpCheckoutAsync(userId, 25m, CancellationToken.None));
        var paid = await stripe.CompleteCheckoutAsync(checkout.SessionId!, new TestCard("fp_lost_" + userId), sendEvents: false);
        var events = new[]
        {
            new StripeEvent("evt_lost_" + Guid.NewGuid().ToString("N"), "checkout.session.completed", stripe.SessionView(checkout.SessionId!)),
            new StripeEvent("evt_lost_" + Guid.NewGuid().ToString("N"), "payment_intent.succeeded", stripe.Object(paid.PaymentIntentId!).DeepClone().AsObject()),
        };

        foreach (var e in events)
        {
            Assert.Equal(200, await DeliverAsync(stripe, e));
        }

        for (var round = 0; round < 2; round++)
        {
            var forgotten = await host.WithServicesAsync(services => services.GetRequiredService<AkashDbContext>().StripeEvents.Where(r => r.Id.StartsWith("evt_lost_")).ExecuteDeleteAsync());
            Assert.Equal(events.Length, forgotten);
            foreach (var e in events)
            {
                Assert.Equal(200, await DeliverAsync(stripe, e));
            }
        }

        await AssertCreditedOnceAsync(host, [userId], 1);
    }

    /// <summary>Each user's top-ups: all succeeded, each credited by exactly one pool and one ledger entry; every pool the sum of its entries.</summary>
    private static Task AssertCreditedOnceAsync(AkashWebHost host, IReadOnlyList<string> users, int topUpsEach) => host.WithServicesAsync(async services =>
    {
        var db = services.GetRequiredService<AkashDbContext>();
        var payments = await db.Payments.AsNoTracking().Where(p => users.Contains(p.UserId)).ToListAsync();
        var pools = await db.CreditPools.AsNoTracking().Where(p => users.Contains(p.UserId)).ToListAsync();
        var entries = await db.LedgerEntries.AsNoTracking().Where(e => users.Contains(e.UserId)).ToListAsync();
        Assert.Equal(users.Count * topUpsEach, payments.Count);
        Assert.All(payments, payment =>
        {
            Assert.True(payment.Status == PaymentStatus.Succeeded, $"payment {payment.Id} is {payment.Status}");
            Assert.Equal(Money.CentsToMicros(payment.AmountCents), payment.CreditedMicros);
            var pool = Assert.Single(pools, p => p.Reference == payment.PaymentIntentId);
            Assert.Equal(payment.PoolId, pool.Id);
            Assert.Equal(payment.CreditedMicros, pool.AmountMicros);
            Assert.Single(entries, e => e.PaymentReference == payment.PaymentIntentId && e.AmountMicros > 0);
        });
        Assert.Equal(payments.Count, pools.Count(p => p.Source == CreditSource.Purchase));
        Assert.All(pools, pool => Assert.Equal(pool.RemainingMicros, entries.Where(e => e.PoolId == pool.Id).Sum(e => e.AmountMicros)));
        return true;
    });

    /// <summary>One delivery attempt; 0 when the host was not there to answer (killed before or while handling it).</summary>
    private static async Task<int> DeliverAsync(FakeStripe stripe, StripeEvent e)
    {
        try
        {
            return await stripe.SendEventAsync(e.Type, e.Object, e.Id);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static Dictionary<string, string?> StripeSettings(FakeStripe stripe, string instance) => new()
    {
        ["Billing:InstanceId"] = instance,
        ["Billing:Stripe:ApiBase"] = stripe.BaseUrl,
        ["Billing:Stripe:SecretKey"] = FakeStripe.TestSecretKey,
        ["Billing:Stripe:WebhookSecret"] = FakeStripe.TestWebhookSecret,
        ["Billing:TopUp:MinimumUsd"] = "5",
        ["Billing:TopUp:MaximumUsd"] = "500",
        ["Billing:TopUp:SuccessUrl"] = "https://localhost/billing/success?session_id={CHECKOUT_SESSION_ID}",
        ["Billing:TopUp:CancelUrl"] = "https://localhost/billing/cancel",
    };

    private sealed record StripeEvent(string Id, string Type, JsonObject Object);
}
