namespace AkashML.Web.Hosting;

/// <summary>
/// Where the host looks for <c>appsettings.json</c> and <c>wwwroot</c>: beside its own assembly, whatever the working
/// directory (a service manager or a script may start it from anywhere), unless the operator names another one.
/// </summary>
public static class ContentRoot
{
    public static string? Resolve(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var named = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return named ? null : AppContext.BaseDirectory;
    }
}
