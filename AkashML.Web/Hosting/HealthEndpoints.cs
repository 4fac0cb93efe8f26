using AkashML.Data;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Hosting;

/// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: the database answers (and, later, models are loaded).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new HealthReport("ok", null))).ExcludeFromDescription();
        endpoints.MapGet("/readyz", ReadyAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(AkashDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? TypedResults.Ok(new HealthReport("ready", null))
                : TypedResults.Json(new HealthReport("unavailable", "database is not reachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return TypedResults.Json(new HealthReport("unavailable", "database is not reachable: " + ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private sealed record HealthReport(string Status, string? Detail);
}
