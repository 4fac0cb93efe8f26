using AkashML.Data;
using AkashML.Data.Identity;
using AkashML.Web.Accounts;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Api;
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
        var modelsDirectory = builder.Configuration["Models:Directory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetFullPath(hostOptions.DataDirectory), "models");
        services.AddAkashMLInference(builder.Configuration, modelsDirectory);
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
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapPublicApis();
        app.MapRazorComponents<App>();
        app.MapAdditionalIdentityEndpoints();
        return app;
    }
}
