using AkashML.Inference.Serving;
using AkashML.Web.Backends;
using AkashML.Web.Keys;
using AkashML.Web.Limits;

namespace AkashML.Web.Gateway;

/// <summary>
/// The gateway step every inference call takes, over HTTP (the API routes) or in-process (the playground in a
/// dashboard circuit): the key's limits, the model or preset, the credit hold, generation, settlement and the usage
/// record, in one <see cref="GatewayCall"/> per call.
/// </summary>
public sealed class InferenceGateway(
    KeyLimiter limiter,
    CreditMetering metering,
    UnsettledCharges unsettled,
    UsageRecorder usage,
    IModelProvider models,
    BackendRouter router,
    PresetDefaults presets,
    GatewayMetrics metrics,
    InferenceMetrics telemetry,
    ILogger<InferenceGateway> logger)
{
    /// <summary>nginx's "client closed request": what a call the caller abandoned is recorded with.</summary>
    public const int ClientClosedRequest = 499;

    internal KeyLimiter Limiter => limiter;

    internal CreditMetering Metering => metering;

    internal UnsettledCharges Unsettled => unsettled;

    internal UsageRecorder Usage => usage;

    internal IModelProvider Models => models;

    internal BackendRouter Router => router;

    internal PresetDefaults Presets => presets;

    internal GatewayMetrics Metrics => metrics;

    internal InferenceMetrics Telemetry => telemetry;

    internal ILogger Logger => logger;

    /// <summary>A new Inference-Id: time-ordered, so ids sort by when calls started.</summary>
    public static string NewInferenceId() => "inf-" + Guid.CreateVersion7().ToString("N");

    /// <summary>
    /// A call for <paramref name="key"/>, not yet admitted: the caller runs <see cref="GatewayCall.AdmitAsync"/> next and
    /// owns the call from here (it must be finished, whatever happens).
    /// </summary>
    public GatewayCall Open(AuthenticatedKey key, ApiSurface surface, string inferenceId, TimeSpan authentication)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(inferenceId);
        return new GatewayCall(this, inferenceId, surface, key, authentication);
    }

    /// <summary>
    /// Opens and admits a call in one step, for in-process callers. A refusal (429 <see cref="ApiException"/>) is
    /// recorded like the API records it and thrown; otherwise the caller owns the call.
    /// </summary>
    public async Task<GatewayCall> OpenAsync(AuthenticatedKey key, ApiSurface surface, CancellationToken cancellationToken)
    {
        var call = Open(key, surface, NewInferenceId(), TimeSpan.Zero);
        try
        {
            await call.AdmitAsync(cancellationToken);
            return call;
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            await call.FinishAsync();
            throw;
        }
    }

    /// <summary>Records a request refused before any key was known (401, a malformed request line): no user, no charge.</summary>
    public Task RecordUnauthenticatedAsync(string inferenceId, ApiSurface surface, int latencyMs, int httpStatus, string error) =>
        usage.RecordAsync(new GatewayOutcome(inferenceId, null, "error", 0, 0, 0, latencyMs, null, error), surface, key: null, requestBody: null,
            outputText: null, streamed: false, httpStatus);
}
