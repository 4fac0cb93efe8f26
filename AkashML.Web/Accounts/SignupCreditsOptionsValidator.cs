using System.Globalization;
using AkashML.Billing.Prices;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts;

/// <summary>Checks <see cref="SignupCreditsOptions"/> at start and reports every problem at once.</summary>
public sealed class SignupCreditsOptionsValidator : IValidateOptions<SignupCreditsOptions>
{
    public ValidateOptionsResult Validate(string? name, SignupCreditsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.AmountUsd is < 0 or > SignupCreditsOptions.MaxAmountUsd)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"SignupCredits:AmountUsd must be between 0 and {SignupCreditsOptions.MaxAmountUsd} (got {options.AmountUsd})."));
        }
        else if (options.AmountUsd * Money.MicrosPerUsd != decimal.Truncate(options.AmountUsd * Money.MicrosPerUsd))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"SignupCredits:AmountUsd has more than six decimals (got {options.AmountUsd})."));
        }

        if (options.Validity < TimeSpan.Zero)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"SignupCredits:Validity must be zero (never expires) or positive (got {options.Validity})."));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
