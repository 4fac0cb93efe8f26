using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Roles;

/// <summary>The process's role and how it stops (section <c>Host</c>).</summary>
public sealed class HostRoleOptions
{
    public const string SectionName = "Host";

    /// <summary>The configuration key of <see cref="Role"/>; <c>serve --role gateway</c> sets it too.</summary>
    public const string RoleKey = SectionName + ":" + nameof(Role);

    public HostRole Role { get; set; } = HostRole.All;

    /// <summary>
    /// How long a stopping process (SIGTERM) lets running requests and streams finish before it aborts them; new
    /// connections are refused meanwhile. Keep the orchestrator's grace period above it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Host:ShutdownTimeout must be between 0 and 1 hour.")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool ServesDashboard => Role != HostRole.Inference;

    public bool ServesPublicApis => Role != HostRole.Inference;

    public bool LoadsModels => Role != HostRole.Gateway;

    /// <summary>
    /// The role named by <paramref name="configuration"/>, read before the services are composed (the role decides
    /// which are); an unknown name stops the start with the accepted ones.
    /// </summary>
    public static HostRole ReadRole(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[RoleKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return HostRole.All;
        }

        return Enum.TryParse<HostRole>(value.Trim(), ignoreCase: true, out var role) && Enum.IsDefined(role) && char.IsAsciiLetter(value.Trim()[0])
            ? role
            : throw new Microsoft.Extensions.Options.OptionsValidationException(SectionName, typeof(HostRoleOptions),
                [$"{RoleKey} is '{value}'; it must be all, gateway or inference."]);
    }
}
