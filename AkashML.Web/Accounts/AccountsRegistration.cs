using AkashML.Data;
using AkashML.Data.Identity;
using AkashML.Web.Accounts.Email;
using AkashML.Web.Accounts.External;
using AspNet.Security.OAuth.GitHub;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Google;
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
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<AccountErasure>();
        services.AddSignInThrottle(builder.Configuration);
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
        services.AddSingleton<AccountEmailSender>();
        services.AddSingleton<IEmailSender<ApplicationUser>>(sp => sp.GetRequiredService<AccountEmailSender>());
    }

    private static void AddExternalProviders(WebApplicationBuilder builder, AuthenticationBuilder authentication)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ExternalProviderOptions>, ExternalProviderOptionsValidator>();
        foreach (var provider in ExternalProvider.All)
        {
            var section = builder.Configuration.GetSection(provider.ConfigurationSection);
            services.AddOptions<ExternalProviderOptions>(provider.Scheme).Bind(section).ValidateOnStart();
        }

        // Whether a scheme exists at all is decided once, at start: a provider without a client id is not offered.
        if (IsConfigured(builder, ExternalProvider.Google))
        {
            authentication.AddGoogle();
            Configure<GoogleOptions>(services, ExternalProvider.Google, (google, _) =>
                // Google's userinfo says whether it verified the address; accounts are linked only by a verified one.
                google.ClaimActions.MapJsonKey(ExternalProvider.EmailVerifiedClaim, "email_verified"));
        }

        if (IsConfigured(builder, ExternalProvider.GitHub))
        {
            authentication.AddGitHub();
            Configure<GitHubAuthenticationOptions>(services, ExternalProvider.GitHub, (github, settings) =>
            {
                if (!string.IsNullOrWhiteSpace(settings.UserEmailsEndpoint))
                {
                    github.UserEmailsEndpoint = settings.UserEmailsEndpoint;
                }

                // user:email lets the handler read a private primary address from the emails endpoint.
                github.Scope.Add("read:user");
                github.Scope.Add("user:email");
                github.Events.OnCreatingTicket = GitHubVerifiedEmail.MarkAsync;
            });
        }
    }

    private static bool IsConfigured(WebApplicationBuilder builder, ExternalProvider provider) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetSection(provider.ConfigurationSection)["ClientId"]);

    /// <summary>Applies the bound settings to the provider's handler options, then what only that provider needs.</summary>
    private static void Configure<TOptions>(IServiceCollection services, ExternalProvider provider, Action<TOptions, ExternalProviderOptions> specific)
        where TOptions : OAuthOptions =>
        services.AddOptions<TOptions>(provider.Scheme).Configure<IOptionsMonitor<ExternalProviderOptions>>((oauth, monitor) =>
        {
            var settings = monitor.Get(provider.Scheme);
            oauth.ClientId = settings.ClientId!;
            oauth.ClientSecret = settings.ClientSecret!;
            oauth.AuthorizationEndpoint = Or(settings.AuthorizationEndpoint, oauth.AuthorizationEndpoint);
            oauth.TokenEndpoint = Or(settings.TokenEndpoint, oauth.TokenEndpoint);
            oauth.UserInformationEndpoint = Or(settings.UserInformationEndpoint, oauth.UserInformationEndpoint);
            if (!string.IsNullOrWhiteSpace(settings.CallbackPath))
            {
                oauth.CallbackPath = settings.CallbackPath;
            }

            // Both providers accept a PKCE challenge; servers without PKCE ignore it.
            oauth.UsePkce = true;
            oauth.SaveTokens = false;
            oauth.Events.OnRemoteFailure = ExternalSignInFailure.HandleAsync;
            specific(oauth, settings);
        });

    private static string Or(string? configured, string handlerDefault) => string.IsNullOrWhiteSpace(configured) ? handlerDefault : configured;
}
