using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Billing.Reservations;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Billing.TopUp;
using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AkashML.Billing.Tests.ReservationTests;

namespace AkashML.Billing.Tests;

/// <summary>Top-ups, trials, auto top-up and webhooks against a Stripe-shaped server on loopback.</summary>
public sealed class StripeFlowTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_top_up_goes_from_checkout_to_credits(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync("buyer@example.test");

        var checkout = await TopUp(host, userId, "25.50");
        Assert.Equal(CheckoutStatus.Created, checkout.Status);
        Assert.StartsWith(stripe.BaseUrl + "/c/pay/cs_test_", checkout.Url, StringComparison.Ordinal);

        var customer = Assert.Single(stripe.RequestsTo("/v1/customers"));
        Assert.Equal("buyer@example.test", customer.Form["email"]);
        Assert.Equal(userId, customer.Form["metadata[akashml_user_id]"]);
        var session = Assert.Single(stripe.RequestsTo("/v1/checkout/sessions"));
        Assert.Equal("payment", session.Form["mode"]);
        Assert.Equal("2550", session.Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("usd", session.Form["line_items[0][price_data][currency]"]);
        Assert.Equal(checkout.PaymentId.ToString(), session.Form["metadata[akashml_payment_id]"]);
        Assert.Equal("off_session", session.Form["payment_intent_data[setup_future_usage]"]);
        Assert.All(stripe.Requests.Where(r => r.Method == "POST"), r => Assert.False(string.IsNullOrEmpty(r.IdempotencyKey)));
        Assert.All(stripe.Requests, r => Assert.Equal("Bearer " + BillingTestHost.SecretKey, r.Authorization));
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);

        var paid = await stripe.CompleteCheckoutAsync(checkout.SessionId!, new TestCard("fp_buyer"));
        Assert.All(stripe.Deliveries, d => Assert.Equal(200, d.Status));
        var balance = await Balance(host, userId);
        Assert.Equal(25_500_000, balance.UsableMicros);
        var pool = Assert.Single(balance.Pools);
        Assert.Equal(CreditSource.Purchase, pool.Source);
        Assert.Null(pool.ExpiresAt);
        Assert.Equal(paid.PaymentIntentId, pool.Reference);

        var payment = await Payment(host, checkout.PaymentId!.Value);
        Assert.Equal(PaymentStatus.Succeeded, payment.Status);
        Assert.Equal(paid.PaymentIntentId, payment.PaymentIntentId);
        var account = await host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().GetAccountAsync(userId, CancellationToken.None));
        Assert.Equal(paid.PaymentMethodId, account!.PaymentMethodId);

        // A second top-up reuses the customer.
        Assert.Equal(CheckoutStatus.Created, (await TopUp(host, userId, "5")).Status);
        Assert.Single(stripe.RequestsTo("/v1/customers"));
        Assert.Equal(25_500_000, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Amounts_outside_the_limits_or_not_numbers_are_refused_before_stripe_is_called(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        foreach (var amount in new[] { "4.99", "500.01", "0", "-10", "abc", "", "10.001", "1e3", "NaN" })
        {
            var result = await TopUp(host, userId, amount);
            Assert.Equal(CheckoutStatus.Invalid, result.Status);
            Assert.False(string.IsNullOrEmpty(result.Error));
        }

        Assert.Empty(stripe.Requests);
        Assert.Empty(await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.Where(p => p.UserId == userId).ToListAsync()));
        Assert.Equal(CheckoutStatus.Created, (await TopUp(host, userId, "5")).Status);
        Assert.Equal(CheckoutStatus.Created, (await TopUp(host, userId, "500")).Status);
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task The_trial_is_granted_once_per_user_and_never_twice_for_one_card(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var alice = await host.CreateUserAsync();
        var bob = await host.CreateUserAsync();
        var sharedCard = new TestCard("fp_shared_" + Guid.NewGuid().ToString("N"));

        await Verify(host, stripe, alice, sharedCard);
        var trial = Assert.Single((await Balance(host, alice)).Pools);
        Assert.Equal(CreditSource.Trial, trial.Source);
        Assert.Equal(1_000_000, trial.AmountMicros);
        Assert.Equal(host.Clock.GetUtcNow().AddDays(30), trial.ExpiresAt);
        var setup = stripe.RequestsTo("/v1/checkout/sessions").Last();
        Assert.Equal("setup", setup.Form["mode"]);
        Assert.Contains(stripe.Requests, r => r.Method == "GET" && r.Path.StartsWith("/v1/setup_intents/seti_", StringComparison.Ordinal));

        // Same user, another card: no second trial (the card is saved, though).
        var secondCard = await Verify(host, stripe, alice, new TestCard("fp_other_" + Guid.NewGuid().ToString("N"), Last4: "1881"));
        Assert.Equal(1_000_000, (await Balance(host, alice)).UsableMicros);
        var account = await host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().GetAccountAsync(alice, CancellationToken.None));
        Assert.Equal(secondCard.PaymentMethodId, account!.PaymentMethodId);
        Assert.Equal("1881", account.CardLast4);

        // Another user, the same card: no trial.
        await Verify(host, stripe, bob, sharedCard);
        Assert.Equal(0, (await Balance(host, bob)).UsableMicros);

        // That user with a card of their own: trial.
        await Verify(host, stripe, bob, new TestCard("fp_bob_" + Guid.NewGuid().ToString("N")));
        Assert.Equal(1_000_000, (await Balance(host, bob)).UsableMicros);
        Assert.All(stripe.Deliveries, d => Assert.Equal(200, d.Status));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Auto_top_up_triggers_exactly_once_under_a_burst_of_settlements(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        await Verify(host, stripe, userId, new TestCard("fp_auto_" + Guid.NewGuid().ToString("N")));
        await Grant(host, userId, 5_000_000);
        Assert.Null(await ConfigureAutoTopUp(host, userId, thresholdUsd: 5.50m, amountUsd: 20m));
        Assert.Empty(stripe.RequestsTo("/v1/payment_intents"));

        // 6.00 → 4.00 in 40 concurrent requests of 0.05 each.
        var holds = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => Reserve(host, userId, $"inf-burst-{i}", 50_000))));
        Assert.All(holds, h => Assert.True(h.IsReserved));
        await Task.WhenAll(holds.Select(h => Task.Run(() => host.InScopeAsync(sp =>
            sp.GetRequiredService<CreditReservations>().SettleAsync(h.Reservation!, 50_000, CancellationToken.None)))));

        await Wait.UntilAsync(async () => (await Balance(host, userId)).UsableMicros == 24_000_000, "the auto top-up credited");
        await stripe.DrainWebhooksAsync();
        var intent = Assert.Single(stripe.RequestsTo("/v1/payment_intents"));
        Assert.Equal("2000", intent.Form["amount"]);
        Assert.Equal("true", intent.Form["off_session"]);
        Assert.Equal("true", intent.Form["confirm"]);
        Assert.StartsWith("akashml-autotopup-", intent.IdempotencyKey, StringComparison.Ordinal);
        var payments = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments
            .Where(p => p.UserId == userId && p.Kind == PaymentKind.AutoTopUp).ToListAsync());
        var payment = Assert.Single(payments);
        Assert.Equal(PaymentStatus.Succeeded, payment.Status);
        var account = await host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().GetAccountAsync(userId, CancellationToken.None));
        Assert.Null(account!.AutoTopUpPaymentId);
        Assert.True(account.AutoTopUpEnabled);
        Assert.Equal(24_000_000, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_declined_card_is_recorded_and_auto_top_up_turns_off_after_three_declines(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        await Verify(host, stripe, userId, new TestCard("fp_declines_" + Guid.NewGuid().ToString("N"), Declines: true));
        // The balance (the trial) is already below the threshold: turning auto top-up on tries at once.
        Assert.Null(await ConfigureAutoTopUp(host, userId, thresholdUsd: 10m, amountUsd: 10m));
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            if (attempt > 1)
            {
                // Each settlement under the threshold tries again (no retry delay in this test).
                await Settle(host, userId, $"inf-decline-{attempt}", 1_000);
            }

            var expected = attempt;
            await Wait.UntilAsync(async () => (await FailedAutoTopUps(host, userId)).Count == expected, $"decline {attempt} recorded");
            await Wait.UntilAsync(async () => (await host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().GetAccountAsync(userId, CancellationToken.None)))!.AutoTopUpPaymentId is null, "no top-up in flight");
        }

        var failures = await FailedAutoTopUps(host, userId);
        Assert.All(failures, p =>
        {
            Assert.Equal("insufficient_funds", p.FailureCode);
            Assert.Equal("Your card has insufficient funds.", p.FailureMessage);
        });
        var account = await host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().GetAccountAsync(userId, CancellationToken.None));
        Assert.False(account!.AutoTopUpEnabled);
        Assert.Equal(3, account.AutoTopUpDeclines);
        Assert.Equal("Your card has insufficient funds.", account.AutoTopUpLastError);

        // Turned off: the next settlement does not try again. Late failure webhooks change nothing.
        await Settle(host, userId, "inf-after-off", 1_000);
        await stripe.DrainWebhooksAsync();
        Assert.Equal(3, stripe.RequestsTo("/v1/payment_intents").Count);
        Assert.Equal(3, (await FailedAutoTopUps(host, userId)).Count);
        Assert.Equal(1_000_000 - 3_000, (await Balance(host, userId)).UsableMicros);
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_refund_takes_the_credits_back_once(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        var checkout = await TopUp(host, userId, "20");
        var paid = await stripe.CompleteCheckoutAsync(checkout.SessionId!, new TestCard("fp_refund"));
        Assert.Equal(20_000_000, (await Balance(host, userId)).UsableMicros);

        var charge = stripe.Refund(paid.ChargeId!, 500);
        Assert.Equal(200, await stripe.SendEventAsync("charge.refunded", charge, eventId: "evt_refund_1_" + Guid.NewGuid().ToString("N")));
        Assert.Equal(15_000_000, (await Balance(host, userId)).UsableMicros);

        // The same cumulative figure in a new event (Stripe retried with another id): nothing more is taken.
        Assert.Equal(200, await stripe.SendEventAsync("charge.refunded", charge));
        Assert.Equal(15_000_000, (await Balance(host, userId)).UsableMicros);

        // Spend some, then refund the rest: only what is unspent can be taken back; the shortfall is recorded.
        await Settle(host, userId, "inf-spend", 12_000_000);
        charge = stripe.Refund(paid.ChargeId!, 1_500);
        Assert.Equal(200, await stripe.SendEventAsync("charge.refunded", charge));
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
        var payment = await Payment(host, checkout.PaymentId!.Value);
        Assert.Equal(2_000, payment.RefundedCents);
        Assert.Equal(12_000_000, payment.RefundShortfallMicros);
        var refunds = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().LedgerEntries
            .Where(e => e.UserId == userId && e.Kind == LedgerEntryKind.Refund).Select(e => e.AmountMicros).ToListAsync());
        Assert.Equal(-8_000_000, refunds.Sum());
        Assert.Equal(0, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_disputed_payment_loses_its_unspent_credits_once_and_a_won_dispute_gives_nothing_back_by_itself(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        var checkout = await TopUp(host, userId, "20");
        var paid = await stripe.CompleteCheckoutAsync(checkout.SessionId!, new TestCard("fp_dispute"));
        await Settle(host, userId, "inf-before-dispute", 5_000_000);
        Assert.Equal(15_000_000, (await Balance(host, userId)).UsableMicros);

        var dispute = stripe.Dispute(paid.ChargeId!);
        var withdrawn = "evt_dispute_" + Guid.NewGuid().ToString("N");
        Assert.Equal(200, await stripe.SendEventAsync("charge.dispute.funds_withdrawn", dispute, eventId: withdrawn));
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
        var payment = await Payment(host, checkout.PaymentId!.Value);
        Assert.Equal(5_000_000, payment.RefundShortfallMicros);

        // A replay of the same event takes nothing more; a won dispute is left to an operator.
        Assert.Equal(200, await stripe.SendEventAsync("charge.dispute.funds_withdrawn", dispute, eventId: withdrawn));
        Assert.Equal(200, await stripe.SendEventAsync("charge.dispute.funds_reinstated", dispute));
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(5_000_000, (await Payment(host, checkout.PaymentId!.Value)).RefundShortfallMicros);
        Assert.Equal(0, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Replayed_events_apply_once_and_bad_signatures_are_rejected(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        var checkout = await TopUp(host, userId, "10");
        var paid = await stripe.CompleteCheckoutAsync(checkout.SessionId!, new TestCard("fp_replay"), sendEvents: false);
        var intent = stripe.Object(paid.PaymentIntentId!);

        // Wrong secret, missing header, stale timestamp: 400 and no credits.
        Assert.Equal(400, await stripe.SendEventAsync("payment_intent.succeeded", intent, secret: "whsec_wrong"));
        Assert.Equal(400, await stripe.SendEventAsync("payment_intent.succeeded", intent, signedAt: host.Clock.GetUtcNow().AddMinutes(-6)));
        Assert.Equal(400, await stripe.PostSignedAsync("""{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{}}}""", BillingTestHost.WebhookSecret, host.Clock.GetUtcNow(), headerOverride: ""));
        Assert.Equal(400, await stripe.PostSignedAsync("""{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{}}}""", BillingTestHost.WebhookSecret, host.Clock.GetUtcNow(), headerOverride: "t=1,v1=deadbeef"));
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);

        // Signed, but from an endpoint on another API version than Stripe.net's: its objects could be misread.
        stripe.ApiVersion = "2025-06-30.basil";
        Assert.Equal(400, await stripe.SendEventAsync("payment_intent.succeeded", intent));
        stripe.ApiVersion = global::Stripe.StripeConfiguration.ApiVersion;
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);

        var eventId = "evt_replay_" + Guid.NewGuid().ToString("N");
        Assert.Equal(200, await stripe.SendEventAsync("payment_intent.succeeded", intent, eventId: eventId));
        Assert.Equal(200, await stripe.SendEventAsync("payment_intent.succeeded", intent, eventId: eventId));
        Assert.Equal(200, await stripe.SendEventAsync("payment_intent.succeeded", intent));
        Assert.Equal(10_000_000, (await Balance(host, userId)).UsableMicros);
        var recorded = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().StripeEvents.CountAsync(e => e.Id == eventId));
        Assert.Equal(1, recorded);
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Events_out_of_order_end_in_the_same_state(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();

        // The PaymentIntent event before the session event.
        var first = await TopUp(host, userId, "10");
        await stripe.CompleteCheckoutAsync(first.SessionId!, new TestCard("fp_order"), paymentIntentEventFirst: true);
        Assert.All(stripe.Deliveries, d => Assert.Equal(200, d.Status));
        Assert.Equal(10_000_000, (await Balance(host, userId)).UsableMicros);

        // A refund reported before the payment is known: Stripe is asked to retry; applied once the payment is known.
        var second = await TopUp(host, userId, "30");
        var paid = await stripe.CompleteCheckoutAsync(second.SessionId!, new TestCard("fp_order"), sendEvents: false);
        var refundEvent = "evt_early_refund_" + Guid.NewGuid().ToString("N");
        var charge = stripe.Refund(paid.ChargeId!, 3_000);
        Assert.Equal(409, await stripe.SendEventAsync("charge.refunded", charge, eventId: refundEvent));
        Assert.Equal(200, await stripe.SendEventAsync("checkout.session.completed", stripe.Object(second.SessionId!)));
        Assert.Equal(40_000_000, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(200, await stripe.SendEventAsync("charge.refunded", charge, eventId: refundEvent));
        Assert.Equal(10_000_000, (await Balance(host, userId)).UsableMicros);

        // A failure report after the success changes nothing.
        var failed = stripe.Object(paid.PaymentIntentId!).DeepClone().AsObject();
        failed["status"] = "requires_payment_method";
        failed["last_payment_error"] = new JsonObject { ["type"] = "card_error", ["code"] = "card_declined", ["message"] = "Your card was declined." };
        Assert.Equal(200, await stripe.SendEventAsync("payment_intent.payment_failed", failed));
        Assert.Equal(PaymentStatus.Succeeded, (await Payment(host, second.PaymentId!.Value)).Status);
        Assert.Equal(200, await stripe.SendEventAsync("payment_intent.succeeded", stripe.Object(paid.PaymentIntentId!)));
        Assert.Equal(10_000_000, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(10_000_000, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Bodies_that_are_not_json_are_rejected_and_unknown_events_are_acknowledged(string provider)
    {
        await using var stripe = await FakeStripe.StartAsync();
        await using var host = await StartAsync(provider, stripe);
        var userId = await host.CreateUserAsync();
        await Grant(host, userId, 1_000);

        Assert.Equal(400, await stripe.PostSignedAsync("this is not json", BillingTestHost.WebhookSecret, host.Clock.GetUtcNow()));
        Assert.Equal(400, await stripe.PostSignedAsync($$"""{"id":"evt_no_data","object":"event","api_version":"{{stripe.ApiVersion}}","type":"charge.refunded"}""", BillingTestHost.WebhookSecret, host.Clock.GetUtcNow()));
        Assert.Equal(400, await stripe.PostSignedAsync("[1,2,3]", BillingTestHost.WebhookSecret, host.Clock.GetUtcNow()));
        Assert.Equal(400, await stripe.PostSignedAsync("{}", BillingTestHost.WebhookSecret, host.Clock.GetUtcNow()));
        Assert.Equal(200, await stripe.SendEventAsync("customer.subscription.created", new JsonObject { ["id"] = "sub_1", ["object"] = "subscription" }));
        Assert.Equal(200, await stripe.SendEventAsync("payment_intent.succeeded", new JsonObject { ["id"] = "pi_not_ours", ["object"] = "payment_intent", ["amount_received"] = 100000, ["metadata"] = new JsonObject() }));
        Assert.Equal(200, await stripe.SendEventAsync("charge.refunded", new JsonObject { ["id"] = "ch_not_ours", ["object"] = "charge", ["payment_intent"] = "pi_not_ours", ["amount_refunded"] = 100, ["customer"] = "cus_stranger" }));
        Assert.Equal(1_000, (await Balance(host, userId)).UsableMicros);
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    public async Task Without_stripe_settings_payments_are_unavailable_and_webhooks_refused(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        Assert.Equal(CheckoutStatus.Unavailable, (await TopUp(host, userId, "10")).Status);
        var result = await host.InScopeAsync(sp => sp.GetRequiredService<AkashML.Billing.Webhooks.StripeWebhookProcessor>().ProcessAsync("{}", "t=1,v1=00", CancellationToken.None));
        Assert.Equal(404, result.StatusCode);
    }

    private async Task<BillingTestHost> StartAsync(string provider, FakeStripe stripe)
    {
        var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider), stripe.BaseUrl, clock: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
        stripe.WebhookUrl = host.WebhookUrl;
        stripe.Clock = host.Clock;
        return host;
    }

    private static Task<CheckoutResult> TopUp(BillingTestHost host, string userId, string amount) =>
        host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().CreateTopUpCheckoutAsync(userId, amount, CancellationToken.None));

    private static Task<string?> ConfigureAutoTopUp(BillingTestHost host, string userId, decimal thresholdUsd, decimal amountUsd) =>
        host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().ConfigureAutoTopUpAsync(userId, true, thresholdUsd, amountUsd, CancellationToken.None));

    private static async Task<CompletedCheckout> Verify(BillingTestHost host, FakeStripe stripe, string userId, TestCard card)
    {
        var checkout = await host.InScopeAsync(sp => sp.GetRequiredService<TopUpService>().CreateCardVerificationCheckoutAsync(userId, CancellationToken.None));
        Assert.Equal(CheckoutStatus.Created, checkout.Status);
        return await stripe.CompleteCheckoutAsync(checkout.SessionId!, card);
    }

    private static async Task Settle(BillingTestHost host, string userId, string inferenceId, long micros)
    {
        var hold = await Reserve(host, userId, inferenceId, micros);
        Assert.True(hold.IsReserved);
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(hold.Reservation!, micros, CancellationToken.None));
    }

    private static Task<Payment> Payment(BillingTestHost host, Guid id) =>
        host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.AsNoTracking().SingleAsync(p => p.Id == id));

    private static Task<List<Payment>> FailedAutoTopUps(BillingTestHost host, string userId) =>
        host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.AsNoTracking()
            .Where(p => p.UserId == userId && p.Kind == PaymentKind.AutoTopUp && p.Status == PaymentStatus.Failed).ToListAsync());
}
