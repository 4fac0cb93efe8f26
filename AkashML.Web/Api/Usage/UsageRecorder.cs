using AkashML.Data.Usage;

namespace AkashML.Web.Api.Usage;

/// <summary>
/// Records one usage row per API request, whatever its outcome; <see cref="UsageWriter"/> inserts it in the background,
/// so the row appears shortly after the response rather than before it.
/// </summary>
public sealed class UsageRecorder(UsageWriter writer, ILogger<UsageRecorder> logger)
{
    public async Task RecordAsync(ApiCall call, string status, int httpStatus, string? error)
    {
        try
        {
            await writer.EnqueueAsync(new UsageRecord
            {
                InferenceId = call.InferenceId,
                UserId = call.Key?.UserId,
                ApiKeyId = call.Key?.KeyId,
                Model = call.Model ?? "",
                Surface = call.Surface == ApiSurface.Anthropic ? "anthropic" : "openai",
                PromptTokens = call.PromptTokens,
                CompletionTokens = call.CompletionTokens,
                CostMicros = call.CostMicros,
                LatencyMs = call.ElapsedMs,
                TimeToFirstTokenMs = call.TimeToFirstTokenMs,
                Status = status,
                HttpStatus = httpStatus,
                Error = error is { Length: > 2000 } ? error[..2000] : error,
                Streamed = call.Streamed,
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not turn a served request into an error; it is logged for reconciliation.
            logger.LogError(ex, "Could not write the usage record of {InferenceId}", call.InferenceId);
        }
    }
}
