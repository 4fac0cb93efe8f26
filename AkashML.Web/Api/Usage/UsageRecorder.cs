using AkashML.Data;
using AkashML.Data.Usage;

namespace AkashML.Web.Api.Usage;

/// <summary>Writes one usage record per API request, in its own scope so a cancelled request still gets recorded.</summary>
public sealed class UsageRecorder(IServiceScopeFactory scopes, ILogger<UsageRecorder> logger)
{
    public async Task RecordAsync(ApiCall call, string status, int httpStatus, string? error)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            db.UsageRecords.Add(new UsageRecord
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
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not turn a served request into an error; it is logged for reconciliation.
            logger.LogError(ex, "Could not write the usage record of {InferenceId}", call.InferenceId);
        }
    }
}
