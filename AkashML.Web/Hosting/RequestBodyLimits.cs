using AkashML.Web.Gateway;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Hosting;

/// <summary>
/// A body limit per route instead of Kestrel's one 30 MB for everything: the dashboard's routes get its form limit,
/// set before anything reads the body so an oversized one is refused while it is read (413); endpoints that bound
/// their bodies themselves (<see cref="BoundsItsOwnBody"/>: the APIs, the Stripe webhook) keep Kestrel's.
/// </summary>
public static class RequestBodyLimits
{
    public static WebApplication UseRequestBodyLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var forms = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.MaxFormBodyBytes;
        app.Use((context, next) =>
        {
            // The status page re-executed for a refusal carries the refused request's headers: let it render.
            if (context.GetEndpoint()?.Metadata.GetMetadata<BoundsItsOwnBody>() is not null
                || context.Features.Get<IStatusCodeReExecuteFeature>() is not null)
            {
                return next(context);
            }

            // Announced too big: refused before anything reads it (antiforgery would otherwise report a bad token).
            if (context.Request.ContentLength > forms)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return Task.CompletedTask;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = forms;
            }

            return next(context);
        });
        return app;
    }
}
