using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Accounts;

/// <summary>
/// Settings of <see cref="SignInThrottle"/> (<c>SignInThrottle</c> section): how many credential forms (sign-in,
/// two-factor, registration, password reset, confirmation resend) one client address may post per minute.
/// </summary>
public sealed class SignInThrottleOptions
{
    public const string SectionName = "SignInThrottle";

    /// <summary>Posts per minute per client address; more are answered 429 with Retry-After. 0 turns the throttle off.</summary>
    [Range(0, 1_000_000)]
    public int AttemptsPerMinute { get; set; } = 60;
}
