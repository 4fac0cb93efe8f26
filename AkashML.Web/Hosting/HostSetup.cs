using AkashML.Web.Roles;
using AkashML.Billing;
using AkashML.Data;
using AkashML.Web.Accounts;
using AkashML.Web.Admin;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Api;
using AkashML.Web.Backends;
using AkashML.Web.Billing;
using AkashML.Web.Gateway;
using AkashML.Web.Inferences;
using AkashML.Web.Keys;
using AkashML.Web.Limits;
using AkashML.Web.Nodes;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using AkashML.Web.Usage;
using AkashML.Web.Components;
using AkashML.Web.Components.Account;
using AkashML.Web.Shell;
using AkashML.Web.Telemetry;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace AkashML.Web.Hosting;

/// <summary>Composes the host: each capability registers itself here, in one place.</summary>
public static class HostSetup
{
    public static WebApplicationBuilder AddAkashMLHost(this WebApplicationBuilder builder)
    {
        // Serve wwwroot and package assets (Radzen's theme) from a build output in any environment, not only
        // Development; a published app has them in wwwroot and no manifest, so this does nothing there.
        builder.WebHost.UseStaticWebAssets();

        var services = builder.Services;
        services.AddOptions<AkashMLOptions>()
            .Bind(builder.Configuration.GetSection(AkashMLOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var hostOptions = builder.Configuration.GetSection(AkashMLOptions.SectionName).Get<AkashMLOptions>() ?? new AkashMLOptions();
        var role = HostRoleOptions.ReadRole(builder.Configuration);
        services.AddOptions<HostRoleOptions>().Bind(builder.Configuration.GetSection(HostRoleOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        // Streams still running when SIGTERM comes get this long to finish (Kestrel refuses new connections meanwhile).
        services.AddOptions<HostOptions>().Configure<IOptions<HostRoleOptions>>((stop, roles) => stop.ShutdownTimeout = roles.Value.ShutdownTimeout);
        services.AddAkashMLData(builder.Configuration.GetConnectionString("Postgres"), hostOptions.SqlitePath, hostOptions.SqliteMaxPageCount is > 0 and var pages ? pages : null);
        // Cookie and antiforgery keys live in the database, so any gateway replica reads what another one wrote.
        services.AddDataProtection().SetApplicationName("AkashML").PersistKeysToDbContext<AkashDbContext>();

        services.AddTransient<IStartupFilter, SecurityHeaders>();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName + ":Circuits"));
        services.AddMudServices();
        builder.AddAkashMLAccounts();
        services.AddIdentityComponents();
        services.AddSingleton(TimeProvider.System);
        services.AddApiKeys(builder.Configuration);
        services.AddKeyLimits(builder.Configuration);
        services.AddAkashMLTelemetry(builder.Configuration);
        services.AddPublicApis(builder.Configuration);
        services.AddInferenceGateway();
        services.AddBackends(builder.Configuration);
        services.AddPresets();
        services.AddPlayground();
        services.AddUsageDashboard();
        services.AddInferenceRetention(builder.Configuration);
        var modelsDirectory = builder.Configuration["Models:Directory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetFullPath(hostOptions.DataDirectory), "models");
        services.AddAkashMLInference(builder.Configuration, modelsDirectory);
        if (role == HostRole.Gateway)
        {
            // The catalog stays readable (tokenizers, templates, prices); nothing loads an ONNX session here.
            services.AddSingleton<IModelProvider, GatewayModelProvider>();
        }

        services.AddNodeProtocol(builder.Configuration);
        services.AddAkashMLBilling(builder.Configuration);
        services.AddDashboardShell().AddBillingPages().AddAdminPages();
        return builder;
    }

    /// <summary>Work done once before serving: migrations (unless turned off).</summary>
    public static async Task PrepareAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AkashMLOptions>>().Value;
        if (options.MigrateOnStart)
        {
            var applied = await DatabaseMigrator.MigrateAsync(app.Services, app.Lifetime.ApplicationStopping);
            if (applied.Count > 0)
            {
                app.Logger.LogInformation("Applied {Count} database migrations: {Migrations}", applied.Count, string.Join(", ", applied));
            }
        }

        await app.Services.GetRequiredService<DefaultModelBootstrapper>().EnsureAsync(app.Lifetime.ApplicationStopping);
    }

    public static WebApplication UseAkashMLPipeline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var role = app.Services.GetRequiredService<IOptions<HostRoleOptions>>().Value.Role;
        if (role == HostRole.Inference)
        {
            // A node answers its peers only: no dashboard, no public APIs, no webhooks.
            app.MapHealthEndpoints();
            app.MapMetrics();
            app.MapNodeProtocol();
            return app;
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.UseRequestBodyLimits();
        app.UseSignInThrottle();
        app.UseAntiforgeryWithErrorPage();
        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapMetrics();
        app.MapPublicApis();
        app.MapStripeWebhook();
        app.MapDashboardShell();
        app.MapUsageExport();
        app.MapInferenceLookup();
        // SecurityHeaders sends the whole policy (frame-ancestors 'none'); Blazor's own frame-ancestors header would be a second one.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAdditionalIdentityEndpoints();
        if (role == HostRole.All)
        {
            app.MapNodeProtocol();
        }

        return app;
    }
}
