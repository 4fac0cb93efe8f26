using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;

namespace AkashML.Web.Hosting;

/// <summary>
/// Antiforgery with a readable answer: a form post without a valid token stops with 400 before any page or endpoint
/// runs, and the status-code page explains it. Must come after <c>UseStatusCodePagesWithReExecute</c>.
/// </summary>
public static class AntiforgeryErrorPages
{
    public static WebApplication UseAntiforgeryWithErrorPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(RenderReExecutionAsGetAsync);
        app.UseAntiforgery();
        app.Use(RejectInvalidTokenAsync);
        return app;
    }

    // Status pages are re-executed with the failed request's method; as a POST the status page would itself be treated
    // as a (forged) form submission. Showing it is a read, so it runs as a GET.
    private static Task RenderReExecutionAsGetAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null && !HttpMethods.IsGet(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
            context.Features.Set<IAntiforgeryValidationFeature>(null);
        }

        return next(context);
    }

    // Pages and endpoints would each answer an invalid token differently (Blazor with an empty text/html 400 that the
    // status-code page cannot replace); stopping here gives one behaviour: 400, nothing changed, the page explains.
    private static Task RejectInvalidTokenAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } failure)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AntiforgeryErrorPages));
            logger.LogWarning("Refused a {Method} to {Path} without a valid antiforgery token: {Reason}", context.Request.Method, context.Request.Path, failure.Error?.Message);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
