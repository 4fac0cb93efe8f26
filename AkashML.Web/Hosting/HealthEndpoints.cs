using AkashML.Web.Roles;
using AkashML.Data;
using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AkashML.Web.Hosting;

/// <summary>
/// <c>/healthz</c>: the process is up. <c>/readyz</c>: what this process's role needs answers — the database for the
/// dashboard and APIs (roles all and gateway), models ONNX Runtime can serve where models run (roles all and inference).
/// A gateway never needs a local model; an inference node never needs the database.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (IOptions<HostRoleOptions> host) => TypedResults.Ok(new HealthReport("ok", null, RoleName(host.Value.Role)))).ExcludeFromDescription();
        endpoints.MapGet("/readyz", ReadyAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(IServiceProvider services, IOptions<HostRoleOptions> host, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var options = host.Value;
        var role = RoleName(options.Role);
        if (options.ServesPublicApis)
        {
            try
            {
                var db = services.GetRequiredService<AkashDbContext>();
                if (!await db.Database.CanConnectAsync(cancellationToken))
                {
                    return Unavailable("database is not reachable", role);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Unavailable("database is not reachable: " + ex.Message, role);
            }
        }

        if (options.LoadsModels)
        {
            // Models load on first use; ready means there is at least one to serve and ONNX Runtime is usable.
            if (catalog.List().Count == 0)
            {
                return Unavailable("no models in " + catalog.ModelsDirectory, role);
            }

            if (!OnnxRuntimeLibrary.IsSupported)
            {
                return Unavailable(OnnxRuntimeLibrary.NotSupportedReason, role);
            }
        }

        return TypedResults.Ok(new HealthReport("ready", null, role));
    }

    private static JsonHttpResult<HealthReport> Unavailable(string? detail, string role) =>
        TypedResults.Json(new HealthReport("unavailable", detail, role), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static string RoleName(HostRole role) => role.ToString().ToLowerInvariant();

    private sealed record HealthReport(string Status, string? Detail, string Role);
}
