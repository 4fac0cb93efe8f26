using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;

namespace AkashML.Web.IntegrationTests.Dashboard;

/// <summary>Renders one component to HTML with ASP.NET Core's <see cref="HtmlRenderer"/> (bunit cannot run here).</summary>
public static class MarkupRenderer
{
    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var services = new ServiceCollection().AddLogging().AddSingleton<IJSRuntime, NoScript>().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            // Decoded so tests read text as people see it (the encoder escapes e.g. the ellipsis).
            return System.Net.WebUtility.HtmlDecode(output.ToHtmlString());
        });
    }
}

/// <summary>Static rendering has no browser: Radzen asks for a JS runtime it never calls while rendering markup.</summary>
internal sealed class NoScript : IJSRuntime
{
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
        throw new InvalidOperationException("no JavaScript during static rendering: " + identifier);

    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
        throw new InvalidOperationException("no JavaScript during static rendering: " + identifier);
}
