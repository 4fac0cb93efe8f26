using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;

namespace AkashML.Web.IntegrationTests.Dashboard;

/// <summary>
/// Renders one component to HTML with ASP.NET Core's <see cref="HtmlRenderer"/>: static rendering, as the
/// static pages are served.
/// </summary>
public static class MarkupRenderer
{
    /// <summary>The HTML as the server sends it (text HTML-encoded).</summary>
    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<NavigationManager, StaticNavigationManager>();
        MudBlazor.Services.ServiceCollectionExtensions.AddMudServices(services);
        // MudBlazor's services ask for a script runtime they never use while rendering statically.
        services.AddSingleton<IJSRuntime, NoScriptRuntime>();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    /// <summary>The HTML with entities decoded, so tests read text as people see it (the encoder escapes e.g. the ellipsis).</summary>
    public static async Task<string> RenderDecodedAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent =>
        System.Net.WebUtility.HtmlDecode(await RenderAsync<TComponent>(parameters));

    /// <summary>Components that build links ask for one; static rendering never navigates.</summary>
    private sealed class StaticNavigationManager : NavigationManager
    {
        public StaticNavigationManager() => Initialize("https://localhost/", "https://localhost/");
    }

    /// <summary>Static rendering has no browser: any script call is a bug in the component under test.</summary>
    private sealed class NoScriptRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            throw new InvalidOperationException($"'{identifier}' called script during static rendering.");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            throw new InvalidOperationException($"'{identifier}' called script during static rendering.");
    }
}
