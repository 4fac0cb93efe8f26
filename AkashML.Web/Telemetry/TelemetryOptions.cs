using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Telemetry;

/// <summary>Settings of the <c>Telemetry</c> section: who reads <c>/metrics</c>, and where traces go.</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "Telemetry";

    /// <summary>Who may read <c>/metrics</c> (Prometheus text). Administrators only unless set.</summary>
    [EnumDataType(typeof(MetricsAccess))]
    public MetricsAccess Metrics { get; set; } = MetricsAccess.Admins;

    /// <summary>OTLP collector (gRPC, e.g. <c>http://collector:4317</c>) for traces and metrics; empty exports nothing.</summary>
    public string OtlpEndpoint { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OtlpEndpoint.Length > 0
            && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"Telemetry:OtlpEndpoint must be an absolute http(s) address, not '{OtlpEndpoint}'.", [nameof(OtlpEndpoint)]);
        }
    }
}
