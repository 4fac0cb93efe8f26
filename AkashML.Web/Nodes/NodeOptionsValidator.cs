using AkashML.Web.Roles;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Nodes;

/// <summary>An inference node must have a shared secret, and any secret set must be long enough to guess at nothing.</summary>
public sealed class NodeOptionsValidator(IOptions<HostRoleOptions> host) : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secret = options.SharedSecret ?? "";
        if (secret.Length == 0)
        {
            return host.Value.Role == HostRole.Inference
                ? ValidateOptionsResult.Fail($"{NodeOptions.SectionName}:{nameof(NodeOptions.SharedSecret)} is required for the inference role: gateways authenticate with it.")
                : ValidateOptionsResult.Success;
        }

        return secret.Length < NodeOptions.MinimumSecretLength
            ? ValidateOptionsResult.Fail($"{NodeOptions.SectionName}:{nameof(NodeOptions.SharedSecret)} must have at least {NodeOptions.MinimumSecretLength} characters.")
            : ValidateOptionsResult.Success;
    }
}
