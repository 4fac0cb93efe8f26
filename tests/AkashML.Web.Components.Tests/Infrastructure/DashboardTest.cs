using System.Security.Claims;
using AkashML.Web.Accounts;
using AkashML.Web.Shell;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AkashML.Web.Components.Tests.Infrastructure;

/// <summary>
/// A bunit context whose services are the real host's (one scope, as a circuit has), with bunit's own JS runtime,
/// navigation and authentication in front, MudBlazor registered as its recipe asks, and a signed-in user.
/// </summary>
public abstract class DashboardTest : BunitContext, IAsyncLifetime, IClassFixture<DashboardHost>
{
    private readonly AsyncServiceScope _scope;

    protected DashboardTest(DashboardHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        _scope = host.Services.CreateAsyncScope();
        Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;

        // Services that read the circuit's user must see bunit's authentication state, not the host's.
        Services.AddScoped<SignedInUser>();
        _authorization = AddAuthorization();

        // Components render as they do in a circuit (touching the renderer ends service registration).
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    private readonly BunitAuthorizationContext _authorization;

    protected DashboardHost Host { get; }

    /// <summary>Creates a user (optionally an administrator, optionally with credits) and signs them in.</summary>
    protected async Task<TestUser> SignInNewUserAsync(bool administrator = false, decimal credits = 0)
    {
        var user = await Host.CreateUserAsync(administrator);
        if (credits > 0)
        {
            await Host.GrantAsync(user, credits);
        }

        SignIn(user);
        return user;
    }

    protected void SignIn(TestUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var authorization = _authorization;
        authorization.SetAuthorized(user.Email);

        // Roles first: bunit's SetRoles rebuilds the principal without the claims set before it.
        if (user.IsAdministrator)
        {
            authorization.SetRoles(AccountProvisioning.AdministratorRole);
        }

        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Email, user.Email));
    }

    /// <summary>A service from the host's scope (the same instances the rendered components get).</summary>
    protected T HostService<T>() where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        // MudBlazor's services are only IAsyncDisposable (REGISTRY.md), so the context is disposed asynchronously.
        await base.DisposeAsync();
        await _scope.DisposeAsync();
    }
}
