using System.Diagnostics.Metrics;

namespace AkashML.Web.Limits;

/// <summary>
/// Time the gateway adds to each API request: key authentication and limit checks (including the token reservation and
/// its settlement), in milliseconds. Meter <c>AkashML.Gateway</c>; the <c>bench gateway</c> verb reads it.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "AkashML.Gateway";
    public const string TotalInstrument = "akashml.gateway.duration";
    public const string AuthInstrument = "akashml.gateway.auth.duration";
    public const string LimitsInstrument = "akashml.gateway.limits.duration";

    private readonly Histogram<double> _total;
    private readonly Histogram<double> _auth;
    private readonly Histogram<double> _limits;

    public GatewayMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _total = meter.CreateHistogram<double>(TotalInstrument, "ms", "Key authentication plus limit checks per API request");
        _auth = meter.CreateHistogram<double>(AuthInstrument, "ms", "Key authentication per API request");
        _limits = meter.CreateHistogram<double>(LimitsInstrument, "ms", "Limit checks per API request");
    }

    public void Record(TimeSpan auth, TimeSpan limits)
    {
        _auth.Record(auth.TotalMilliseconds);
        _limits.Record(limits.TotalMilliseconds);
        _total.Record((auth + limits).TotalMilliseconds);
    }
}
