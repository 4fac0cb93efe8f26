using System.Text.Json.Nodes;
using AkashML.Data.Usage;
using AkashML.Web.Usage;
using AkashML.Web.Inferences;
using AkashML.Web.Keys;

namespace AkashML.Web.Gateway;

/// <summary>
/// Records one usage row per call, whatever its outcome; <see cref="UsageWriter"/> inserts it in the background (with
/// its rollups, and its prompt and output when the user turned retention on), so the row appears shortly after the
/// response rather than before it.
/// </summary>
public sealed class UsageRecorder(UsageWriter writer, TimeProvider clock, ILogger<UsageRecorder> logger)
{
    /// <summary>The usage row of a settled gateway call.</summary>
    public Task RecordAsync(GatewayCall call, GatewayOutcome outcome, int httpStatus)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RecordAsync(outcome, call.Surface, call.Key, call.RequestBody, call.OutputText, call.Streamed, httpStatus);
    }

    public async Task RecordAsync(GatewayOutcome outcome, ApiSurface surface, AuthenticatedKey? key, JsonObject? requestBody, string? outputText, bool streamed, int httpStatus)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        try
        {
            var record = new UsageRecord
            {
                InferenceId = outcome.InferenceId,
                UserId = key?.UserId,
                ApiKeyId = key?.KeyId,
                Model = outcome.Model ?? "",
                Surface = surface switch
                {
                    ApiSurface.Anthropic => "anthropic",
                    ApiSurface.Playground => "playground",
                    _ => "openai",
                },
                PromptTokens = outcome.PromptTokens,
                CachedPromptTokens = outcome.CachedPromptTokens,
                CompletionTokens = outcome.CompletionTokens,
                CostMicros = outcome.CostMicros,
                LatencyMs = outcome.LatencyMs,
                TimeToFirstTokenMs = outcome.TimeToFirstTokenMs,
                QueueMs = outcome.QueueMs,
                Status = outcome.Status,
                HttpStatus = httpStatus,
                Error = outcome.Error is { Length: > 2000 } error ? error[..2000] : outcome.Error,
                Streamed = streamed,
                Parameters = RequestParameters.Describe(requestBody),
                CreatedAt = clock.GetUtcNow(),
            };

            // Whether retention is on is the writer's question; only a request it could keep carries its text along.
            var keepable = record.UserId is not null && requestBody is not null;
            await writer.EnqueueAsync(record, keepable ? requestBody : null, keepable ? outputText : null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not turn a served request into an error; it is logged for reconciliation.
            logger.LogError(ex, "Could not record the usage of {InferenceId}", outcome.InferenceId);
        }
    }
}
