using System.Globalization;
using AkashML.Billing;
using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using AkashML.Billing.TopUp;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Web.Billing;
using AkashML.Web.Components.Account;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Components.Pages.Billing;

/// <summary>
/// <c>/billing</c>: balance, top-up through Stripe Checkout, trial, auto top-up, pools, payments and the ledger. Every
/// action is a form post; bad input re-renders the page with the message beside the field and nothing stored.
/// </summary>
public sealed partial class BillingPage
{
    private const int PaymentsShown = 20;
    private const int AllPayments = 500;

    private string _userId = "";

    [Inject] public required TopUpService TopUps { get; init; }

    [Inject] public required CreditLedger Ledger { get; init; }

    [Inject] public required LedgerHistory History { get; init; }

    [Inject] public required IOptions<BillingOptions> Options { get; init; }

    [Inject] public required UserManager<ApplicationUser> Users { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [Inject] public required TimeProvider Clock { get; init; }

    [Inject] internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "ledger")] public string? LedgerQuery { get; set; }

    [SupplyParameterFromQuery(Name = "before")] public string? BeforeQuery { get; set; }

    [SupplyParameterFromQuery(Name = "payments")] public string? PaymentsQuery { get; set; }

    [SupplyParameterFromForm(FormName = "top-up")] public TopUpInput? TopUp { get; set; }

    [SupplyParameterFromForm(FormName = "auto-top-up")] public AutoTopUpInput? AutoTopUp { get; set; }

    private CreditBalance Balance { get; set; } = new(0, 0, []);

    private BillingAccount? Account { get; set; }

    private IReadOnlyList<Payment> Payments { get; set; } = [];

    private LedgerPage LedgerPage { get; set; } = new([], null);

    private LedgerFilter Filter { get; set; }

    private long? BeforeCursor { get; set; }

    private string? TopUpError { get; set; }

    private string? VerifyError { get; set; }

    private string? ThresholdError { get; set; }

    private string? AutoAmountError { get; set; }

    private string? AutoTopUpError { get; set; }

    private bool PaymentsEnabled => Options.Value.Stripe.Enabled;

    private long MinimumCents => Money.UsdToCents(Options.Value.TopUp.MinimumUsd);

    private long MaximumCents => Money.UsdToCents(Options.Value.TopUp.MaximumUsd);

    private long TrialMicros => Money.UsdToMicros(Options.Value.TrialCreditsUsd);

    private int MaxDeclines => Options.Value.AutoTopUp.MaxDeclines;

    private int ActivePools => Balance.Pools.Count(p => !p.Expired && p.RemainingMicros > 0);

    private DateTimeOffset? NextExpiry => Balance.Pools.Where(p => !p.Expired && p.RemainingMicros > 0 && p.ExpiresAt is not null).Min(p => p.ExpiresAt);

    private CreditPoolView? TrialPool => Balance.Pools.Where(p => p.Source == CreditSource.Trial).OrderByDescending(p => p.CreatedAt).FirstOrDefault();

    /// <summary>A card was verified but the trial was refused (this person or card already had one).</summary>
    private bool VerificationRefusedTrial => Payments.Any(p => p is { Kind: PaymentKind.Verification, Status: PaymentStatus.Succeeded, PoolId: null });

    private bool VerificationPending => Payments.Any(p => p is { Kind: PaymentKind.Verification, Status: PaymentStatus.Pending });

    private string CardText => Account switch
    {
        { PaymentMethodId: not null, CardLast4: { } last4 } => $"{Capitalize(Account.CardBrand ?? "Card")} •••• {last4}",
        { PaymentMethodId: not null } => "Card saved",
        _ => "None",
    };

    protected override async Task OnInitializedAsync()
    {
        _userId = Users.GetUserId(HttpContext.User) ?? throw new InvalidOperationException("The billing page needs a signed-in user.");
        Filter = Enum.TryParse<LedgerFilter>(LedgerQuery, ignoreCase: true, out var filter) && Enum.IsDefined(filter) ? filter : LedgerFilter.All;
        BeforeCursor = long.TryParse(BeforeQuery, NumberStyles.None, CultureInfo.InvariantCulture, out var before) ? before : null;
        await LoadAsync();

        TopUp ??= new TopUpInput { Amount = DefaultTopUp().ToString("0.##", CultureInfo.InvariantCulture) };
        AutoTopUp ??= new AutoTopUpInput
        {
            Enabled = Account?.AutoTopUpEnabled ?? false,
            Threshold = Account is { AutoTopUpAmountMicros: > 0 } a ? Money.FormatUsd(a.AutoTopUpThresholdMicros) : "5.00",
            Amount = Account is { AutoTopUpAmountMicros: > 0 } b ? Money.FormatUsd(b.AutoTopUpAmountMicros) : DefaultTopUp().ToString("0.00", CultureInfo.InvariantCulture),
        };
    }

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        Balance = await Ledger.GetBalanceAsync(_userId, ct);
        Account = await TopUps.GetAccountAsync(_userId, ct);
        Payments = await TopUps.ListPaymentsAsync(_userId, PaymentsQuery == "all" ? AllPayments : PaymentsShown, ct);
        LedgerPage = await History.GetPageAsync(_userId, Filter, BeforeCursor, LedgerHistory.DefaultPageSize, ct);
    }

    private async Task TopUpAsync()
    {
        var amount = TopUp?.Amount?.Trim();
        if (string.IsNullOrEmpty(amount))
        {
            TopUpError = "Enter an amount in USD, e.g. 25.";
            return;
        }

        var result = await TopUps.CreateTopUpCheckoutAsync(_userId, amount, HttpContext.RequestAborted);
        if (result is { Status: CheckoutStatus.Created, Url: { } url })
        {
            Navigation.NavigateTo(url);
            return;
        }

        TopUpError = result.Error ?? "The payment could not be started.";
        await LoadAsync();
    }

    private async Task VerifyCardAsync()
    {
        var result = await TopUps.CreateCardVerificationCheckoutAsync(_userId, HttpContext.RequestAborted);
        if (result is { Status: CheckoutStatus.Created, Url: { } url })
        {
            Navigation.NavigateTo(url);
            return;
        }

        VerifyError = result.Error ?? "The verification could not be started.";
        await LoadAsync();
    }

    private async Task SaveAutoTopUpAsync()
    {
        var input = AutoTopUp ?? new AutoTopUpInput();
        var threshold = ParseUsd(input.Threshold, out var thresholdError);
        var amount = ParseUsd(input.Amount, out var amountError);
        if (input.Enabled && (thresholdError is not null || amountError is not null))
        {
            ThresholdError = thresholdError;
            AutoAmountError = amountError;
            return;
        }

        var refusal = await TopUps.ConfigureAutoTopUpAsync(_userId, input.Enabled, threshold, amount, HttpContext.RequestAborted);
        if (refusal is not null)
        {
            AutoTopUpError = refusal;
            return;
        }

        RedirectManager.RedirectToWithStatus("billing", input.Enabled
            ? $"Auto top-up is on: {DisplayFormat.Usd(Money.UsdToMicros(amount))} whenever your balance falls below {DisplayFormat.Usd(Money.UsdToMicros(threshold))}."
            : "Auto top-up is off.", HttpContext);
    }

    private decimal DefaultTopUp() => Math.Clamp(25m, Options.Value.TopUp.MinimumUsd, Options.Value.TopUp.MaximumUsd);

    private static decimal ParseUsd(string? text, out string? error)
    {
        var trimmed = text?.Trim().TrimStart('$') ?? "";
        if (trimmed.Length == 0)
        {
            error = "Enter an amount in USD.";
            return 0;
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            error = $"'{text}' is not an amount in USD, e.g. 10 or 10.50.";
            return 0;
        }

        error = value * 100 == decimal.Truncate(value * 100) ? null : "Use whole cents.";
        return value;
    }

    private string LedgerHref(LedgerFilter filter, long? before)
    {
        var query = new List<string>();
        if (filter != LedgerFilter.All)
        {
            query.Add("ledger=" + filter.ToString().ToLowerInvariant());
        }

        if (before is { } cursor)
        {
            query.Add("before=" + cursor.ToString(CultureInfo.InvariantCulture));
        }

        return "billing" + (query.Count == 0 ? "" : "?" + string.Join('&', query)) + "#ledger";
    }

    private static string FilterLabel(LedgerFilter filter) => filter switch
    {
        LedgerFilter.All => "All",
        LedgerFilter.Credits => "Credits",
        LedgerFilter.Usage => "Requests",
        _ => filter.ToString(),
    };

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The top-up form; the amount stays text so anything typed comes back with a message, never a binding error.</summary>
    public sealed class TopUpInput
    {
        public string? Amount { get; set; }
    }

    public sealed class AutoTopUpInput
    {
        public bool Enabled { get; set; }

        public string? Threshold { get; set; }

        public string? Amount { get; set; }
    }
}
