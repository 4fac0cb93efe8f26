using AkashML.Data;
using AkashML.Data.Identity;
using AkashML.Web.Accounts.Email;
using AkashML.Web.Accounts.External;
using AkashML.Web.Components.Account;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts;

/// <summary>Sign-in: Identity with confirmed accounts and lockout, account email, and the GitHub and Google providers.</summary>
public static class AccountsRegistration
{
    /// <summary>Failed password attempts before an account is locked.</summary>
    public const int MaxFailedAccessAttempts = 5;

    public static WebApplicationBuilder AddAkashMLAccounts(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultScheme = IdentityConstants.ApplicationScheme;
            options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        });
        authentication.AddIdentityCookies();
        services.AddAuthorization();
        AddExternalProviders(builder, authentication);

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.Stores.SchemaVersion = IdentityStoreSettings.SchemaVersion;
                options.Password.RequiredLength = 8;
                options.Lockout.MaxFailedAccessAttempts = MaxFailedAccessAttempts;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                options.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AkashDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddScoped<AccountProvisioning>();
        services.AddScoped<ExternalSignIn>();
        AddEmail(builder);
        return builder;
    }

    private static void AddEmail(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmailOptions>().Bind(builder.Configuration.GetSection(EmailOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<DevOutbox>();
        services.AddSingleton<SmtpEmailDelivery>();
        services.AddSingleton<IEmailDelivery>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.UsesSmtp
            ? sp.GetRequiredService<SmtpEmailDelivery>()
            : sp.GetRequiredService<DevOutbox>());
        services.AddSingleton<IEmailSender<ApplicationUser>, AccountEmailSender>();
    }

    private static void AddExternalProviders(WebApplicationBuilder builder, Microsoft.AspNetCore.Authentication.AuthenticationBuilder authentication)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ExternalProviderOptions>, ExternalProviderOptionsValidator>();
        foreach (var provider in ExternalProvider.All)
        {
            var section = builder.Configuration.GetSection(provider.ConfigurationSection);
            services.AddOptions<ExternalProviderOptions>(provider.Scheme).Configure(provider.ApplyDefaults).Bind(section).ValidateOnStart();

            // Whether the scheme exists at all is decided once, at start: a provider without a client id is not offered.
            if (string.IsNullOrWhiteSpace(section["ClientId"]))
            {
                continue;
            }

            authentication.AddOAuth(provider.Scheme, provider.DisplayName, _ => { });
            services.AddOptions<OAuthOptions>(provider.Scheme)
                .Configure<IOptionsMonitor<ExternalProviderOptions>>((oauth, monitor) => Configure(oauth, provider, monitor.Get(provider.Scheme)));
        }
    }

    private static void Configure(OAuthOptions oauth, ExternalProvider provider, ExternalProviderOptions settings)
    {
        oauth.ClientId = settings.ClientId!;
        oauth.ClientSecret = settings.ClientSecret!;
        oauth.AuthorizationEndpoint = settings.AuthorizationEndpoint;
        oauth.TokenEndpoint = settings.TokenEndpoint;
        oauth.UserInformationEndpoint = settings.UserInformationEndpoint;
        oauth.CallbackPath = settings.CallbackPath;
        oauth.UsePkce = settings.UsePkce;
        oauth.SaveTokens = false;
        oauth.Scope.Clear();
        foreach (var scope in settings.Scopes is { Length: > 0 } configured ? configured : provider.Scopes)
        {
            oauth.Scope.Add(scope);
        }

        oauth.Events.OnCreatingTicket = context => provider.AddClaimsAsync(context, settings);
        oauth.Events.OnRemoteFailure = ExternalSignInFailure.HandleAsync;
    }
}
