using AkashML.Data;
using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Hosting;

/// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: the database answers and there are models ONNX Runtime can serve.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new HealthReport("ok", null))).ExcludeFromDescription();
        endpoints.MapGet("/readyz", ReadyAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(AkashDbContext db, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return TypedResults.Json(new HealthReport("unavailable", "database is not reachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // Models load on first use; ready means there is at least one to serve and ONNX Runtime is usable.
            if (catalog.List().Count == 0)
            {
                return TypedResults.Json(new HealthReport("unavailable", "no models in " + catalog.ModelsDirectory), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return OnnxRuntimeLibrary.IsSupported
                ? TypedResults.Ok(new HealthReport("ready", null))
                : TypedResults.Json(new HealthReport("unavailable", OnnxRuntimeLibrary.NotSupportedReason), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return TypedResults.Json(new HealthReport("unavailable", "database is not reachable: " + ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private sealed record HealthReport(string Status, string? Detail);
}
