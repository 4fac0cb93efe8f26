using AkashML.Web.Accounts;
using AkashML.Web.Gateway;
using AkashML.Web.Limits;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AkashML.Web.Telemetry;

public static class TelemetryRegistration
{
    private const string MetricsPath = "/metrics";

    /// <summary>
    /// OpenTelemetry: our meters and ASP.NET Core's HTTP server metrics, read by the Prometheus exporter at
    /// <c>/metrics</c> (unless <see cref="MetricsAccess.Off"/>); with an OTLP endpoint, traces of every HTTP request and
    /// the same metrics go there too.
    /// </summary>
    public static IServiceCollection AddAkashMLTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InferenceMetrics>();

        // Read here too: which exporters exist is decided while composing the host. A bad endpoint fails ValidateOnStart.
        var settings = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        Uri? otlp = null;
        if (settings.OtlpEndpoint.Length > 0 && Uri.TryCreate(settings.OtlpEndpoint, UriKind.Absolute, out var parsed))
        {
            otlp = parsed;
        }

        if (settings.Metrics == MetricsAccess.Off && otlp is null)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("akashml"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(InferenceMetrics.MeterName, GatewayMetrics.MeterName).AddAspNetCoreInstrumentation();
                if (settings.Metrics != MetricsAccess.Off)
                {
                    // Every scrape sees the latest values (the exporter would otherwise answer from a short cache).
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddOtlpExporter(o => o.Endpoint = otlp));
        }

        return services;
    }

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus text for whom <see cref="TelemetryOptions.Metrics"/> allows; anyone else gets the
    /// 404 of an unknown path, so the route's existence is not given away.
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var access = endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.Metrics;
        if (access == MetricsAccess.Off)
        {
            return endpoints;
        }

        endpoints.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (access == MetricsAccess.Anyone || context.User.IsInRole(AccountProvisioning.AdministratorRole))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }), optionsName: null);
        return endpoints;
    }
}
