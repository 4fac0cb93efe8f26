using AkashML.Data.Usage;
using AkashML.Web.Api;
using AkashML.Web.Inferences;

namespace AkashML.Web.Usage;

/// <summary>
/// Records one usage row per API request, whatever its outcome; <see cref="UsageWriter"/> inserts it in the background
/// (with its rollups, and its prompt and output when the user turned retention on), so the row appears shortly after
/// the response rather than before it.
/// </summary>
public sealed class UsageRecorder(UsageWriter writer, TimeProvider clock, ILogger<UsageRecorder> logger)
{
    public async Task RecordAsync(ApiCall call, string status, int httpStatus, string? error)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var record = new UsageRecord
            {
                InferenceId = call.InferenceId,
                UserId = call.Key?.UserId,
                ApiKeyId = call.Key?.KeyId,
                Model = call.Model ?? "",
                Surface = call.Surface switch
                {
                    ApiSurface.Anthropic => "anthropic",
                    ApiSurface.Playground => "playground",
                    _ => "openai",
                },
                PromptTokens = call.PromptTokens,
                CompletionTokens = call.CompletionTokens,
                CostMicros = call.CostMicros,
                LatencyMs = call.ElapsedMs,
                TimeToFirstTokenMs = call.TimeToFirstTokenMs,
                Status = status,
                HttpStatus = httpStatus,
                Error = error is { Length: > 2000 } ? error[..2000] : error,
                Streamed = call.Streamed,
                Parameters = RequestParameters.Describe(call.RequestBody),
                CreatedAt = clock.GetUtcNow(),
            };

            // Whether retention is on is the writer's question; only a request it could keep carries its text along.
            var keepable = record.UserId is not null && call.RequestBody is not null;
            await writer.EnqueueAsync(record, keepable ? call.RequestBody : null, keepable ? call.OutputText : null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not turn a served request into an error; it is logged for reconciliation.
            logger.LogError(ex, "Could not record the usage of {InferenceId}", call.InferenceId);
        }
    }
}
