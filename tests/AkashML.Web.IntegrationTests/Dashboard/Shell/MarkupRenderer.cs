using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;

namespace AkashML.Web.IntegrationTests.Dashboard.Shell;

/// <summary>Renders one component to HTML with ASP.NET Core's <see cref="HtmlRenderer"/> (the markup-test tool here; bunit cannot run).</summary>
public static class MarkupRenderer
{
    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddRadzenComponentsForMarkup();
        // Radzen components ask for a script runtime they never use while rendering statically, as the host's pages are.
        services.AddSingleton<IJSRuntime, NoScriptRuntime>();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    private static IServiceCollection AddRadzenComponentsForMarkup(this IServiceCollection services)
    {
        Radzen.ServiceCollectionExtensions.AddRadzenComponents(services);
        return services;
    }
}

/// <summary>Static rendering has no browser: any script call is a bug in the component under test.</summary>
internal sealed class NoScriptRuntime : IJSRuntime
{
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
        throw new InvalidOperationException($"'{identifier}' called script during static rendering.");

    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
        throw new InvalidOperationException($"'{identifier}' called script during static rendering.");
}
