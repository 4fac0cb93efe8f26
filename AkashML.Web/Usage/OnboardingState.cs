namespace AkashML.Web.Usage;

/// <summary>Where a user stands on the four first-run steps of the overview's checklist, read from real state.</summary>
/// <param name="EmailConfirmed">The account's email address is confirmed.</param>
/// <param name="PaymentsAvailable">This installation takes payments (Stripe is configured); otherwise an administrator grants credits.</param>
/// <param name="PaymentMethodVerified">A card is saved (verification or a top-up) or the trial was granted.</param>
/// <param name="TrialCreditsMicros">What verifying a card grants (0: no trial on this installation).</param>
/// <param name="HasCredits">The account has received credits at some point (a grant, a trial, a top-up).</param>
/// <param name="HasApiKey">The user has created an API key (even one revoked since).</param>
/// <param name="HasMadeRequest">At least one request was made, from the playground or the API.</param>
public sealed record OnboardingState(
    bool EmailConfirmed, bool PaymentsAvailable, bool PaymentMethodVerified, long TrialCreditsMicros, bool HasCredits, bool HasApiKey, bool HasMadeRequest)
{
    /// <summary>Credits to spend: a verified card (which brings the trial) or credits received any other way.</summary>
    public bool PaymentStepDone => PaymentMethodVerified || HasCredits;

    public int StepCount => 4;

    public int StepsDone => (EmailConfirmed ? 1 : 0) + (PaymentStepDone ? 1 : 0) + (HasApiKey ? 1 : 0) + (HasMadeRequest ? 1 : 0);

    public bool IsComplete => StepsDone == StepCount;
}
