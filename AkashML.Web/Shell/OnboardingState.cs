namespace AkashML.Web.Shell;

/// <summary>Where a new user stands on the three first-run steps, read from real state.</summary>
/// <param name="EmailConfirmed">The account's email address is confirmed.</param>
/// <param name="PaymentsAvailable">This installation takes payments (Stripe is configured); otherwise step two does not apply.</param>
/// <param name="PaymentMethodVerified">A card is saved (verification or a top-up) or the trial was granted.</param>
/// <param name="TrialCreditsMicros">What verifying a card grants (0: no trial on this installation).</param>
/// <param name="HasMadeRequest">At least one request was made, from the playground or the API.</param>
public sealed record OnboardingState(bool EmailConfirmed, bool PaymentsAvailable, bool PaymentMethodVerified, long TrialCreditsMicros, bool HasMadeRequest)
{
    public bool PaymentStepDone => PaymentMethodVerified || !PaymentsAvailable;

    public int StepCount => 3;

    public int StepsDone => (EmailConfirmed ? 1 : 0) + (PaymentStepDone ? 1 : 0) + (HasMadeRequest ? 1 : 0);

    public bool IsComplete => StepsDone == StepCount;
}
