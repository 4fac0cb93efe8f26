namespace AkashML.Billing;

/// <summary>Settings of the <c>Billing</c> section (every one is described in appsettings.sample.json).</summary>
public sealed class BillingOptions
{
    public const string SectionName = "Billing";

    /// <summary>
    /// Names this host process in the reservations it makes; at start a host releases what its previous run left open.
    /// Empty: the machine name. Replicas must differ.
    /// </summary>
    public string? InstanceId { get; set; }

    /// <summary>Credits granted once per user (and per card) for verifying a payment method; 0 turns trials off.</summary>
    public decimal TrialCreditsUsd { get; set; } = 1.00m;

    /// <summary>How long trial credits stay usable.</summary>
    public TimeSpan TrialValidity { get; set; } = TimeSpan.FromDays(30);

    /// <summary>An open reservation older than this belongs to a request that can no longer finish; it is released.</summary>
    public TimeSpan StaleReservationAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often expired pools are recorded and stale reservations released.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the ledger is checked against the pools (also once at start).</summary>
    public TimeSpan LedgerCheckInterval { get; set; } = TimeSpan.FromHours(24);

    public TopUpOptions TopUp { get; set; } = new();

    public AutoTopUpOptions AutoTopUp { get; set; } = new();

    public StripeOptions Stripe { get; set; } = new();

    public string ResolvedInstanceId => string.IsNullOrWhiteSpace(InstanceId) ? Environment.MachineName : InstanceId;
}

/// <summary>Manual purchases (<c>Billing:TopUp</c>).</summary>
public sealed class TopUpOptions
{
    public decimal MinimumUsd { get; set; } = 5m;

    public decimal MaximumUsd { get; set; } = 500m;

    /// <summary>Where Stripe Checkout sends the user after paying; Stripe replaces <c>{CHECKOUT_SESSION_ID}</c>.</summary>
    public string SuccessUrl { get; set; } = "";

    /// <summary>Where Stripe Checkout sends the user who gives up.</summary>
    public string CancelUrl { get; set; } = "";

    /// <summary>Save the card of a top-up for later off-session charges (auto top-up).</summary>
    public bool SaveCardForAutoTopUp { get; set; } = true;
}

/// <summary>Automatic purchases when the balance runs low (<c>Billing:AutoTopUp</c>).</summary>
public sealed class AutoTopUpOptions
{
    /// <summary>Consecutive declines after which auto top-up turns itself off.</summary>
    public int MaxDeclines { get; set; } = 3;

    /// <summary>After a failed attempt, wait this long before trying again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The Stripe account (<c>Billing:Stripe</c>). Without a secret key, Stripe features are off.</summary>
public sealed class StripeOptions
{
    /// <summary>Stripe's API (Stripe.net's <c>ApiBase</c>); tests point it at a local Stripe-shaped server.</summary>
    public string ApiBase { get; set; } = "https://api.stripe.com";

    /// <summary>Secret API key (<c>sk_…</c>). Empty: no top-ups, trials or auto top-ups; admin grants still work.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>Publishable key (<c>pk_…</c>) for the dashboard, if it needs one.</summary>
    public string PublishableKey { get; set; } = "";

    /// <summary>Signing secret of the webhook endpoint (<c>whsec_…</c>); required with a secret key.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Largest accepted age of a webhook signature timestamp.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Three-letter ISO currency of every charge; credits are USD, so anything but <c>usd</c> is refused.</summary>
    public string Currency { get; set; } = "usd";

    /// <summary>The line item name on Checkout and receipts.</summary>
    public string ProductName { get; set; } = "AkashML credits";

    /// <summary>How long one attempt waits for Stripe's answer (Stripe.net retries failed attempts with the same idempotency key).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(SecretKey);
}
