using System.Net.Http.Headers;
using System.Text;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.Components.Tests.Usage;

/// <summary>Real usage for the page tests: keys made by the key service, requests through the real API, or records seeded in bulk.</summary>
internal static class UsageData
{
    public const string Model = "akashml/tiny-random";

    public static async Task<(Guid Id, string Secret)> CreateKeyAsync(DashboardHost host, string userId, string name)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var (key, secret) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(userId, name, ApiKeyLimits.None, CancellationToken.None);
        return (key.Id, secret);
    }

    /// <summary>A small chat completion through the OpenAI-compatible API; returns the Inference-Id and the HTTP status.</summary>
    public static async Task<(string InferenceId, int Status)> CompleteAsync(DashboardHost host, string secret, string model = Model)
    {
        using var http = host.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello"}],"max_tokens":4,"temperature":0.5}""";
        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.LoadIntoBufferAsync();
        return (response.Headers.GetValues("Inference-Id").Single(), (int)response.StatusCode);
    }

    /// <summary>Writes records and their rollups the way the usage writer does (one transaction each).</summary>
    public static async Task SeedAsync(DashboardHost host, IEnumerable<UsageRecord> records)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        foreach (var record in records)
        {
            db.UsageRecords.Add(record);
            await db.SaveChangesAsync();
            await UsageRollupWriter.AddAsync(db, record, CancellationToken.None);
        }
    }

    public static UsageRecord Record(string userId, int i, DateTimeOffset at, string model = "m/seeded", string status = "ok") => new()
    {
        InferenceId = $"inf-test-{i:00000}-{Guid.NewGuid():N}"[..36],
        UserId = userId,
        Model = model,
        Surface = "openai",
        PromptTokens = 10 + i,
        CompletionTokens = i,
        CostMicros = 100 * ((i * 7) % 11),
        LatencyMs = 100 + i,
        Status = status,
        HttpStatus = status == "ok" ? 200 : 500,
        CreatedAt = at,
    };
}
