using System.Globalization;
using System.Security.Claims;
using System.Text;

namespace AkashML.Web.Usage;

/// <summary>
/// <c>GET /usage/export.csv?from=&amp;to=&amp;key=&amp;model=&amp;status=</c>: the signed-in user's usage records that the usage
/// page's filter lets through, as CSV, streamed row by row (a million rows never sit in memory).
/// </summary>
public static class UsageExportEndpoint
{
    public const string Header = "time_utc,inference_id,key_id,key_name,model,surface,prompt_tokens,completion_tokens,cost_usd,latency_ms,ttft_ms,status,http_status,streamed,cached_prompt_tokens,error";

    public static IEndpointRouteBuilder MapUsageExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/usage/export.csv", ExportAsync).RequireAuthorization().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ExportAsync(HttpContext http, UsageQueries queries, TimeProvider clock, string? from, string? to, string? key, string? model, string? status)
    {
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("an authorized request has a user id");
        var filter = UsageFilter.Parse(from, to, null, key, model, clock.GetUtcNow(), status);
        if (filter.Problems.Count > 0)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync(string.Join('\n', filter.Problems), http.RequestAborted);
            return;
        }

        var names = await queries.KeyNamesAsync(userId, http.RequestAborted);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = string.Create(CultureInfo.InvariantCulture,
            $"attachment; filename=\"usage-{filter.From:yyyy-MM-dd}-to-{filter.To:yyyy-MM-dd}.csv\"");
        http.Response.Headers.CacheControl = "no-store";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), bufferSize: 32 * 1024);
        await writer.WriteLineAsync(Header);
        var line = new StringBuilder();
        var count = 0;
        await foreach (var row in queries.ExportAsync(userId, filter, http.RequestAborted))
        {
            line.Clear();
            line.Append(row.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(row.InferenceId)).Append(',')
                .Append(row.KeyId?.ToString() ?? "").Append(',')
                .Append(Field(row.KeyId is { } id && names.TryGetValue(id, out var name) ? name : "")).Append(',')
                .Append(Field(row.Model)).Append(',')
                .Append(row.Surface).Append(',')
                .Append(row.PromptTokens.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.CompletionTokens.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(UsageFormat.UsdExact(row.CostMicros)).Append(',')
                .Append(row.LatencyMs.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.TimeToFirstTokenMs?.ToString(CultureInfo.InvariantCulture) ?? "").Append(',')
                .Append(row.Status).Append(',')
                .Append(row.HttpStatus.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Streamed ? "true" : "false").Append(',')
                .Append(row.CachedPromptTokens.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(row.Error ?? ""));
            await writer.WriteLineAsync(line);
            if (++count % 1000 == 0)
            {
                await writer.FlushAsync(http.RequestAborted);
            }
        }
    }

    /// <summary>RFC 4180 quoting; a leading formula character is neutralised so spreadsheets never evaluate a field.</summary>
    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
