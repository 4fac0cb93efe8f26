using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Shell;

/// <summary>The interactive dashboard (section <c>Dashboard</c>; its Blazor circuit limits are <c>Dashboard:Circuits</c>).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// How often an open dashboard re-checks that its user still exists, is not locked out and has not signed out
    /// (the security stamp); a circuit that fails the check loses its sign-in within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Dashboard:RevalidationInterval must be between 5 seconds and 1 hour.")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Largest request body of the dashboard's own routes (its form posts); bigger ones get 413. The APIs have their
    /// own (<c>Api:MaxRequestBodyBytes</c>), as does the Stripe webhook.
    /// </summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxFormBodyBytes { get; set; } = 1024 * 1024;
}
