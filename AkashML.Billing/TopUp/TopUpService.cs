using System.Globalization;
using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using Stripe;
using Stripe.Checkout;

namespace AkashML.Billing.TopUp;

/// <summary>
/// What a user starts from the billing page: a top-up (Checkout in payment mode), a payment-method verification
/// (Checkout in setup mode; grants the trial) and the auto top-up settings.
/// </summary>
public sealed class TopUpService(
    AkashDbContext db,
    AccountLock accountLock,
    StripeClient stripe,
    AutoTopUpQueue autoTopUps,
    TimeProvider clock,
    IOptions<BillingOptions> options,
    ILogger<TopUpService> logger)
{
    private BillingOptions Options => options.Value;

    /// <summary>Parses an amount typed by a person (<c>25</c>, <c>25.50</c>) and starts a top-up.</summary>
    public Task<CheckoutResult> CreateTopUpCheckoutAsync(string userId, string? amountText, CancellationToken cancellationToken) =>
        decimal.TryParse(amountText?.Trim().TrimStart('$'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd)
            ? CreateTopUpCheckoutAsync(userId, usd, cancellationToken)
            : Task.FromResult(CheckoutResult.Invalid($"'{amountText}' is not an amount in USD, e.g. 25 or 25.50."));

    /// <summary>Starts a Checkout Session in payment mode for an amount between the configured minimum and maximum.</summary>
    public async Task<CheckoutResult> CreateTopUpCheckoutAsync(string userId, decimal amountUsd, CancellationToken cancellationToken)
    {
        if (ValidateAmount(amountUsd) is { } error)
        {
            return CheckoutResult.Invalid(error);
        }

        var cents = Money.UsdToCents(amountUsd);
        return await StartCheckoutAsync(userId, PaymentKind.TopUp, cents, (payment, session) =>
        {
            session.Mode = "payment";
            session.LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = payment.Currency,
                        UnitAmount = cents,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = Options.Stripe.ProductName },
                    },
                },
            ];
            session.PaymentIntentData = new SessionPaymentIntentDataOptions
            {
                Metadata = StripeMetadata.For(payment, "top_up"),
                SetupFutureUsage = Options.TopUp.SaveCardForAutoTopUp ? "off_session" : null,
            };
        }, cancellationToken);
    }

    /// <summary>Starts a Checkout Session in setup mode: the user saves a card; the trial is granted when Stripe confirms.</summary>
    public async Task<CheckoutResult> CreateCardVerificationCheckoutAsync(string userId, CancellationToken cancellationToken) =>
        await StartCheckoutAsync(userId, PaymentKind.Verification, 0, (payment, session) =>
        {
            session.Mode = "setup";
            session.Currency = payment.Currency;
            session.SetupIntentData = new SessionSetupIntentDataOptions { Metadata = StripeMetadata.For(payment) };
        }, cancellationToken);

    /// <summary>Turns auto top-up on or off. Turning it on needs a saved card; the amount obeys the top-up limits.</summary>
    /// <returns>Null when applied, otherwise why not.</returns>
    public async Task<string?> ConfigureAutoTopUpAsync(string userId, bool enabled, decimal thresholdUsd, decimal amountUsd, CancellationToken cancellationToken)
    {
        if (enabled)
        {
            if (ValidateAmount(amountUsd) is { } error)
            {
                return error;
            }

            if (thresholdUsd < 0 || thresholdUsd > Options.TopUp.MaximumUsd || thresholdUsd * 100 != decimal.Truncate(thresholdUsd * 100))
            {
                return string.Create(CultureInfo.InvariantCulture, $"The threshold must be whole cents between $0 and ${Options.TopUp.MaximumUsd:0.00}.");
            }

            if (!Options.Stripe.Enabled)
            {
                return "Payments are not configured on this installation.";
            }
        }

        Guid? start = null;
        var refusal = await accountLock.RunAsync(userId, async (account, ct) =>
        {
            if (enabled && (account.PaymentMethodId is null || account.StripeCustomerId is null))
            {
                return "Verify a payment method first: auto top-up charges the saved card.";
            }

            account.AutoTopUpEnabled = enabled;
            if (enabled)
            {
                account.AutoTopUpThresholdMicros = Money.UsdToMicros(thresholdUsd);
                account.AutoTopUpAmountMicros = Money.UsdToMicros(amountUsd);
                account.AutoTopUpDeclines = 0;
                account.AutoTopUpLastError = null;
                account.AutoTopUpLastErrorAt = null;
                var now = clock.GetUtcNow();
                var pools = await UserPools.LoadAsync(db, userId, [], ct);
                start = AutoTopUpPolicy.TryStart(db, account, pools.Usable(now), now, Options);
            }

            return (string?)null;
        }, cancellationToken);
        if (start is { } paymentId)
        {
            autoTopUps.Enqueue(paymentId);
        }

        return refusal;
    }

    /// <summary>The user's billing state (card, auto top-up), or null before the first billing operation.</summary>
    public Task<BillingAccount?> GetAccountAsync(string userId, CancellationToken cancellationToken) =>
        db.BillingAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);

    /// <summary>The user's payments, newest first (failures included, with Stripe's message).</summary>
    public async Task<IReadOnlyList<Payment>> ListPaymentsAsync(string userId, int limit, CancellationToken cancellationToken) =>
        await db.Payments.AsNoTracking().Where(p => p.UserId == userId).OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Take(Math.Clamp(limit, 1, 500)).ToListAsync(cancellationToken);

    /// <summary>The user's Stripe customer, created once (the idempotency key makes concurrent first calls agree).</summary>
    public async Task<string> EnsureCustomerAsync(string userId, CancellationToken cancellationToken)
    {
        var existing = await db.BillingAccounts.AsNoTracking().Where(a => a.UserId == userId).Select(a => a.StripeCustomerId).SingleOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var email = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        var customer = await stripe.V1.Customers.CreateAsync(
            new CustomerCreateOptions { Email = string.IsNullOrEmpty(email) ? null : email, Metadata = new() { [StripeMetadata.UserId] = userId } },
            new RequestOptions { IdempotencyKey = "akashml-customer-" + userId },
            cancellationToken);
        return await accountLock.RunAsync(userId, (account, _) =>
        {
            account.StripeCustomerId ??= customer.Id;
            return Task.FromResult(account.StripeCustomerId);
        }, cancellationToken);
    }

    private string? ValidateAmount(decimal amountUsd)
    {
        var min = Options.TopUp.MinimumUsd;
        var max = Options.TopUp.MaximumUsd;
        if (amountUsd < min || amountUsd > max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The amount must be between ${min:0.00} and ${max:0.00}.");
        }

        return amountUsd * 100 != decimal.Truncate(amountUsd * 100) ? "The amount must be in whole cents." : null;
    }

    /// <summary>
    /// Records a pending payment and opens a Checkout Session for it; <paramref name="configure"/> adds the mode-specific
    /// fields to what every session carries (customer, return URLs, our payment id).
    /// </summary>
    private async Task<CheckoutResult> StartCheckoutAsync(string userId, PaymentKind kind, long cents,
        Action<Payment, SessionCreateOptions> configure, CancellationToken cancellationToken)
    {
        if (!Options.Stripe.Enabled)
        {
            return new CheckoutResult(CheckoutStatus.Unavailable, null, null, null, "Payments are not configured on this installation.");
        }

        string customerId;
        try
        {
            customerId = await EnsureCustomerAsync(userId, cancellationToken);
        }
        catch (Exception ex) when (StripeFailure.TryRead(ex, cancellationToken, out var failure))
        {
            logger.LogWarning(ex, "Could not create the Stripe customer of user {UserId}", userId);
            return new CheckoutResult(CheckoutStatus.Failed, null, null, null, failure.Message);
        }

        var payment = new Payment
        {
            UserId = userId,
            Kind = kind,
            Status = PaymentStatus.Pending,
            AmountCents = cents,
            Currency = Options.Stripe.Currency.ToLowerInvariant(),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync(cancellationToken);
        var request = new SessionCreateOptions
        {
            Customer = customerId,
            ClientReferenceId = userId,
            SuccessUrl = Options.TopUp.SuccessUrl,
            CancelUrl = Options.TopUp.CancelUrl,
            Metadata = StripeMetadata.For(payment),
        };
        configure(payment, request);
        try
        {
            var session = await stripe.V1.Checkout.Sessions.CreateAsync(request, new RequestOptions { IdempotencyKey = "akashml-checkout-" + payment.Id }, cancellationToken);
            payment.CheckoutSessionId = session.Id;
            await db.SaveChangesAsync(cancellationToken);
            return new CheckoutResult(CheckoutStatus.Created, payment.Id, session.Id, session.Url, null);
        }
        catch (Exception ex) when (StripeFailure.TryRead(ex, cancellationToken, out var failure))
        {
            payment.Status = PaymentStatus.Failed;
            payment.FailureCode = failure.Code;
            payment.FailureMessage = failure.Message.Length > 500 ? failure.Message[..500] : failure.Message;
            payment.CompletedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogWarning(ex, "Stripe refused a {Kind} Checkout Session for user {UserId}", kind, userId);
            return new CheckoutResult(CheckoutStatus.Failed, payment.Id, null, null, failure.Message);
        }
    }
}
