using AkashML.Data;
using AkashML.Data.Inferences;
using AkashML.Data.Usage;
using AkashML.Web.Inferences;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Api.Usage;

/// <summary>
/// Writes one usage record per API request, in its own scope so a cancelled request still gets recorded. In the same
/// transaction it adds the record to its hourly and daily rollups (one upsert), and — only when the user turned
/// retention on — keeps the request body and output until the retention runs out.
/// </summary>
public sealed class UsageRecorder(IServiceScopeFactory scopes, IOptions<InferenceOptions> inferenceOptions, TimeProvider clock, ILogger<UsageRecorder> logger)
{
    public async Task RecordAsync(ApiCall call, string status, int httpStatus, string? error)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
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
            db.UsageRecords.Add(record);
            if (record.UserId is { } userId && call.RequestBody is { } body
                && await scope.ServiceProvider.GetRequiredService<InferenceRetentionSettings>().GetDaysAsync(userId, CancellationToken.None) is { } days)
            {
                db.InferencePayloads.Add(Payload(record, userId, body.ToJsonString(), call.OutputText, days));
            }

            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
                await db.SaveChangesAsync(CancellationToken.None);
                await UsageRollupWriter.AddAsync(db, record, CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not turn a served request into an error; it is logged for reconciliation.
            logger.LogError(ex, "Could not write the usage record of {InferenceId}", call.InferenceId);
        }
    }

    private InferencePayload Payload(UsageRecord record, string userId, string requestJson, string output, int days)
    {
        var max = inferenceOptions.Value.MaxStoredRequestChars;
        return new InferencePayload
        {
            InferenceId = record.InferenceId,
            UserId = userId,
            RequestJson = requestJson.Length <= max ? requestJson : requestJson[..max],
            OutputText = output.Length == 0 ? null : output,
            CreatedAt = record.CreatedAt,
            ExpiresAt = record.CreatedAt.AddDays(days),
        };
    }
}
