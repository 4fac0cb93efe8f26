using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts.External;

/// <summary>Checks an enabled provider's settings at start and reports every problem at once.</summary>
public sealed class ExternalProviderOptionsValidator : IValidateOptions<ExternalProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, ExternalProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Skip;
        }

        var section = "Authentication:" + name;
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            problems.Add($"{section}:ClientSecret is required when {section}:ClientId is set.");
        }

        RequireUrlIfSet(problems, section + ":AuthorizationEndpoint", options.AuthorizationEndpoint);
        RequireUrlIfSet(problems, section + ":TokenEndpoint", options.TokenEndpoint);
        RequireUrlIfSet(problems, section + ":UserInformationEndpoint", options.UserInformationEndpoint);
        RequireUrlIfSet(problems, section + ":UserEmailsEndpoint", options.UserEmailsEndpoint);
        if (!string.IsNullOrWhiteSpace(options.CallbackPath) && !options.CallbackPath.StartsWith('/'))
        {
            problems.Add($"{section}:CallbackPath must start with '/' (got '{options.CallbackPath}').");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void RequireUrlIfSet(List<string> problems, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)
            && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            problems.Add($"{key} must be an absolute http(s) URL (got '{value}').");
        }
    }
}
