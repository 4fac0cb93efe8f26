using AkashML.Billing;
using AkashML.Data;
using AkashML.Data.Identity;
using AkashML.Web.Accounts;
using AkashML.Web.Api;
using AkashML.Web.Billing;
using AkashML.Web.Keys;
using AkashML.Web.Components;
using AkashML.Web.Components.Account;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Radzen;

namespace AkashML.Web.Hosting;

/// <summary>Composes the host: each capability registers itself here, in one place.</summary>
public static class HostSetup
{
    public static WebApplicationBuilder AddAkashMLHost(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AkashMLOptions>()
            .Bind(builder.Configuration.GetSection(AkashMLOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var hostOptions = builder.Configuration.GetSection(AkashMLOptions.SectionName).Get<AkashMLOptions>() ?? new AkashMLOptions();
        services.AddAkashMLData(builder.Configuration.GetConnectionString("Postgres"), hostOptions.SqlitePath);

        services.AddRazorComponents();
        services.AddRadzenComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.Stores.SchemaVersion = IdentityStoreSettings.SchemaVersion;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AkashDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddSingleton<IEmailSender<ApplicationUser>, IdentityNoOpEmailSender>();
        services.AddScoped<AccountProvisioning>();
        services.AddSingleton(TimeProvider.System);
        services.AddApiKeys(builder.Configuration);
        services.AddPublicApis(builder.Configuration);
        services.AddAkashMLBilling(builder.Configuration);
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
    }

    public static WebApplication UseAkashMLPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapPublicApis();
        app.MapStripeWebhook();
        app.MapRazorComponents<App>();
        app.MapAdditionalIdentityEndpoints();
        return app;
    }
}
