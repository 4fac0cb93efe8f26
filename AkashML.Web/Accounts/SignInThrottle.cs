using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts;

/// <summary>
/// Slows password guessing across accounts from one address; per-account lockout (Identity) covers guessing at one
/// account from many. Only posts of the credential forms are counted, so the dashboard and the APIs never pass
/// through a limiter. Behind a reverse proxy every client shares the proxy's address unless forwarded headers are
/// trusted, so the default leaves room for a busy site.
/// </summary>
public static class SignInThrottle
{
    private static readonly string[] CredentialForms =
    [
        "/Account/Login",
        "/Account/LoginWith2fa",
        "/Account/LoginWithRecoveryCode",
        "/Account/Register",
        "/Account/ForgotPassword",
        "/Account/ResetPassword",
        "/Account/ResendEmailConfirmation",
    ];

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddSignInThrottle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInThrottleOptions>().Bind(configuration.GetSection(SignInThrottleOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SignInThrottleOptions>>((limiter, settings) =>
        {
            var perMinute = settings.Value.AttemptsPerMinute;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetSlidingWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "",
                    _ => new SlidingWindowRateLimiterOptions { PermitLimit = perMinute, Window = Window, SegmentsPerWindow = 6, QueueLimit = 0 }));
            limiter.OnRejected = (rejected, _) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>Counts posts of the credential forms against the client's address (no-op when the throttle is off).</summary>
    public static WebApplication UseSignInThrottle(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<SignInThrottleOptions>>().Value.AttemptsPerMinute > 0)
        {
            app.UseWhen(IsCredentialPost, branch => branch.UseRateLimiter());
        }

        return app;
    }

    private static bool IsCredentialPost(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
        && Array.Exists(CredentialForms, form => context.Request.Path.Equals(form, StringComparison.OrdinalIgnoreCase));
}
