using AkashML.Inference.Serving;
using AkashML.Web.Api;
using AkashML.Web.Api.Metering;
using AkashML.Web.Keys;
using AkashML.Web.Limits;
using AkashML.Web.Shell;
using AkashML.Web.Usage;

namespace AkashML.Web.Gateway;

/// <summary>
/// The gateway without HTTP: the same limits, metering, billing and usage records as the public APIs for callers that
/// run inside the host (the playground in a dashboard circuit), with no request back into ourselves.
/// <see cref="StartAsync"/> admits a call under a key's limits; the <see cref="GatewayCall"/> it returns reads a chat
/// request, reserves, generates, and settles exactly once however it ends.
/// </summary>
public sealed class InferenceGateway(
    KeyLimiter limiter,
    CreditMetering metering,
    UsageRecorder usage,
    IModelProvider models,
    IServiceScopeFactory scopes,
    GatewayMetrics metrics,
    ILogger<InferenceGateway> logger)
{
    internal KeyLimiter Limiter => limiter;

    internal CreditMetering Metering => metering;

    internal UsageRecorder Usage => usage;

    internal IModelProvider Models => models;

    internal IServiceScopeFactory Scopes => scopes;

    internal GatewayMetrics Metrics => metrics;

    internal ILogger Logger => logger;

    /// <summary>
    /// Starts a call for <paramref name="key"/> on <paramref name="surface"/> and admits it under the key's requests per
    /// minute and concurrency. A refusal (429 <see cref="ApiException"/>) is recorded like the API records it and
    /// thrown; otherwise the caller owns the call and must dispose it (or <see cref="GatewayCall.FinishAsync"/>).
    /// </summary>
    public async Task<GatewayCall> StartAsync(AuthenticatedKey key, ApiSurface surface, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var call = new GatewayCall(this, key, surface, cancellationToken);
        try
        {
            await call.AdmitAsync();
            return call;
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            await call.FinishAsync();
            throw;
        }
    }
}
