namespace AkashML.Web.Accounts;

/// <summary>
/// Credits every new account gets once its email address is confirmed (section <c>SignupCredits</c>), so an
/// installation without payments has no dead end at $0. Off unless an operator sets an amount.
/// </summary>
public sealed class SignupCreditsOptions
{
    public const string SectionName = "SignupCredits";

    /// <summary>The most an operator may hand out per sign-up (a typo guard, not a business rule).</summary>
    public const decimal MaxAmountUsd = 10_000m;

    /// <summary>USD granted once per user when the email is confirmed (or an account is created already confirmed); 0 = none.</summary>
    public decimal AmountUsd { get; set; }

    /// <summary>How long the credits stay usable after the grant; zero = they never expire.</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(30);

    public bool Enabled => AmountUsd > 0;
}
