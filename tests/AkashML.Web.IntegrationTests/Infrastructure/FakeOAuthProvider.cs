using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>Which provider's user API a <see cref="FakeOAuthProvider"/> speaks.</summary>
public enum OAuthShape
{
    /// <summary><c>/user</c> (numeric id, login, name) and <c>/user/emails</c> (list with primary and verified flags).</summary>
    GitHub,

    /// <summary>OpenID Connect <c>/userinfo</c> (sub, name, email, email_verified).</summary>
    Google,
}

/// <summary>The person who "signs in" at the fake provider's authorize endpoint.</summary>
/// <param name="Emails">GitHub's /user/emails list; for Google only the first entry is used (its Verified flag is email_verified).</param>
public sealed record FakeAccount(string Id, string Name, IReadOnlyList<FakeEmail> Emails);

public sealed record FakeEmail(string Address, bool Primary, bool Verified);

/// <summary>What the app sent to the token endpoint, for assertions.</summary>
public sealed record TokenRequest(string? ClientId, string? ClientSecret, string? Code, string? RedirectUri, string? CodeVerifier, bool Accepted);

/// <summary>
/// A real OAuth 2.0 authorization server on 127.0.0.1 (Kestrel): authorize (redirects back with code and state), token
/// (checks client credentials, redirect URI, single-use code and PKCE) and the provider's user API.
/// </summary>
public sealed class FakeOAuthProvider : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, FakeAccount> _tokens = new();
    private readonly ConcurrentDictionary<string, PendingAuthorization> _pending = new();
    private readonly WebApplication _app;

    private FakeOAuthProvider(OAuthShape shape, WebApplication app)
    {
        Shape = shape;
        _app = app;
    }

    public OAuthShape Shape { get; }

    public Uri BaseAddress { get; private set; } = default!;

    public string ClientId { get; } = "client-" + Guid.NewGuid().ToString("N")[..8];

    public string ClientSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Who the next authorization signs in as. Set it before starting a flow.</summary>
    public FakeAccount? NextAccount { get; set; }

    /// <summary>Make the next authorization answer <c>error=access_denied</c>, as when the person clicks "Cancel".</summary>
    public bool DenyNext { get; set; }

    public ConcurrentQueue<TokenRequest> TokenRequests { get; } = new();

    /// <summary>
    /// Show a consent page (account, scopes, "Authorize" and "Cancel") instead of redirecting straight back, as the real
    /// providers do for a first sign-in; browser tests click through it.
    /// </summary>
    public bool ShowConsentPage { get; set; }

    /// <summary>The scopes the app asked for on the last authorization.</summary>
    public string? LastScope { get; private set; }

    public static async Task<FakeOAuthProvider> StartAsync(OAuthShape shape)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var provider = new FakeOAuthProvider(shape, app);
        provider.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.BaseAddress = new Uri(address + "/");
        return provider;
    }

    /// <summary>The host settings that point <c>Authentication:{scheme}</c> at this server.</summary>
    public IReadOnlyDictionary<string, string?> Settings(string scheme)
    {
        var prefix = "Authentication:" + scheme + ":";
        var settings = new Dictionary<string, string?>
        {
            [prefix + "ClientId"] = ClientId,
            [prefix + "ClientSecret"] = ClientSecret,
            [prefix + "AuthorizationEndpoint"] = new Uri(BaseAddress, "authorize").ToString(),
            [prefix + "TokenEndpoint"] = new Uri(BaseAddress, "token").ToString(),
            [prefix + "UserInformationEndpoint"] = new Uri(BaseAddress, Shape == OAuthShape.GitHub ? "user" : "userinfo").ToString(),
        };
        if (Shape == OAuthShape.GitHub)
        {
            settings[prefix + "UserEmailsEndpoint"] = new Uri(BaseAddress, "user/emails").ToString();
        }

        return settings;
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/authorize", (HttpContext context) => Authorize(context));
        app.MapPost("/authorize/decision", (Func<HttpContext, Task<IResult>>)DecideAsync);
        app.MapPost("/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        app.MapGet("/user", (HttpContext context) => WithAccount(context, requireUserAgent: true, GitHubUser));
        app.MapGet("/user/emails", (HttpContext context) => WithAccount(context, requireUserAgent: true, GitHubEmails));
        app.MapGet("/userinfo", (HttpContext context) => WithAccount(context, requireUserAgent: false, GoogleUserInfo));
    }

    private IResult Authorize(HttpContext context)
    {
        var query = context.Request.Query;
        string? redirectUri = query["redirect_uri"];
        string? state = query["state"];
        if (query["response_type"] != "code" || query["client_id"] != ClientId || string.IsNullOrEmpty(redirectUri) || string.IsNullOrEmpty(state))
        {
            return Results.BadRequest("authorize: bad response_type, client_id, redirect_uri or state");
        }

        LastScope = query["scope"];
        var account = NextAccount ?? throw new InvalidOperationException("Set NextAccount before starting a sign-in.");
        var pending = new PendingAuthorization(account, redirectUri, state, query["code_challenge"], query["code_challenge_method"]);
        if (ShowConsentPage)
        {
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
            _pending[id] = pending;
            return Results.Content(ConsentPage(id, account, LastScope), "text/html; charset=utf-8");
        }

        var deny = DenyNext;
        DenyNext = false;
        return Decide(pending, allow: !deny);
    }

    private async Task<IResult> DecideAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        return _pending.TryRemove(form["request"].ToString(), out var pending)
            ? Decide(pending, allow: form["decision"] == "allow")
            : Results.BadRequest("authorize: unknown or answered request");
    }

    private IResult Decide(PendingAuthorization pending, bool allow)
    {
        if (!allow)
        {
            return Results.Redirect(QueryHelpers.AddQueryString(pending.RedirectUri, new Dictionary<string, string?> { ["error"] = "access_denied", ["state"] = pending.State }));
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new Grant(pending.Account, pending.RedirectUri, pending.CodeChallenge, pending.CodeChallengeMethod);
        return Results.Redirect(QueryHelpers.AddQueryString(pending.RedirectUri, new Dictionary<string, string?> { ["code"] = code, ["state"] = pending.State }));
    }

    private string ConsentPage(string id, FakeAccount account, string? scope)
    {
        var e = HtmlEncoder.Default;
        var email = account.Emails.FirstOrDefault(m => m.Primary)?.Address ?? account.Emails.FirstOrDefault()?.Address ?? "";
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign in with {{Shape}} (local test provider)</title>
            <style>body{font-family:sans-serif;max-width:28rem;margin:4rem auto}button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}</style></head>
            <body>
            <h1>Authorize AkashML</h1>
            <p>Signed in to {{Shape}} as <strong data-testid="consent-account">{{e.Encode(account.Name)}}</strong> ({{e.Encode(email)}}).</p>
            <p>AkashML asks for: <code data-testid="consent-scope">{{e.Encode(scope ?? "")}}</code></p>
            <form method="post" action="/authorize/decision">
            <input type="hidden" name="request" value="{{id}}">
            <button type="submit" name="decision" value="allow">Authorize</button>
            <button type="submit" name="decision" value="deny">Cancel</button>
            </form>
            </body></html>
            """;
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var request = new TokenRequest(form["client_id"], form["client_secret"], form["code"], form["redirect_uri"], form["code_verifier"], Accepted: false);
        var problem = CheckTokenRequest(form, out var account);
        TokenRequests.Enqueue(request with { Accepted = problem is null });
        if (problem is not null)
        {
            return Results.Json(new { error = "invalid_grant", error_description = problem }, statusCode: StatusCodes.Status400BadRequest);
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = account!;
        return Results.Json(new { access_token = token, token_type = "bearer", scope = LastScope ?? "" });
    }

    private string? CheckTokenRequest(IFormCollection form, out FakeAccount? account)
    {
        account = null;
        if (form["grant_type"] != "authorization_code")
        {
            return "grant_type must be authorization_code";
        }

        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return "bad client credentials";
        }

        // Codes are single use.
        if (!_codes.TryRemove(form["code"].ToString(), out var grant))
        {
            return "unknown or used code";
        }

        if (form["redirect_uri"] != grant.RedirectUri)
        {
            return "redirect_uri differs from the authorization request";
        }

        if (grant.CodeChallenge is not null)
        {
            var verifier = form["code_verifier"].ToString();
            var expected = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            if (grant.CodeChallengeMethod != "S256" || expected != grant.CodeChallenge)
            {
                return "PKCE verification failed";
            }
        }

        account = grant.Account;
        return null;
    }

    private IResult WithAccount(HttpContext context, bool requireUserAgent, Func<FakeAccount, IResult> respond)
    {
        if (requireUserAgent && string.IsNullOrEmpty(context.Request.Headers.UserAgent))
        {
            return Results.Json(new { message = "Request forbidden: a User-Agent header is required" }, statusCode: StatusCodes.Status403Forbidden);
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        return authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && _tokens.TryGetValue(authorization[Prefix.Length..], out var account)
            ? respond(account)
            : Results.Json(new { message = "Bad credentials" }, statusCode: StatusCodes.Status401Unauthorized);
    }

    private static IResult GitHubUser(FakeAccount account) =>
        Results.Json(new { id = long.Parse(account.Id, System.Globalization.CultureInfo.InvariantCulture), login = account.Name.Replace(' ', '-').ToLowerInvariant(), name = account.Name, email = (string?)null });

    private static IResult GitHubEmails(FakeAccount account) =>
        Results.Json(account.Emails.Select(e => new { email = e.Address, primary = e.Primary, verified = e.Verified, visibility = "private" }));

    private static IResult GoogleUserInfo(FakeAccount account)
    {
        var email = account.Emails.FirstOrDefault();
        return Results.Json(new { sub = account.Id, name = account.Name, email = email?.Address, email_verified = email?.Verified ?? false });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record PendingAuthorization(FakeAccount Account, string RedirectUri, string State, string? CodeChallenge, string? CodeChallengeMethod);

    private sealed record Grant(FakeAccount Account, string RedirectUri, string? CodeChallenge, string? CodeChallengeMethod);
}
