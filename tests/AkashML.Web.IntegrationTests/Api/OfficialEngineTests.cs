using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// A model our runtime does not implement (the smoke-test weights with a phi3 config whose 32k context needs the
/// long-rope switch) is served by the official ONNX Runtime GenAI: listed with that engine, answering through the same
/// metering and billing path, and refusing what that engine cannot give with 400 naming the parameter.
/// </summary>
public sealed class OfficialEngineTests
{
    private const string Phi3 = "test/tiny-phi3";

    [Fact]
    public async Task A_phi3_long_context_model_is_listed_with_the_official_engine_billed_as_usual_and_refuses_logprobs()
    {
        var models = Directory.CreateTempSubdirectory("akashml-official-models-");
        try
        {
            var source = Path.Combine(await SharedModels.DirectoryAsync(), "akashml", "tiny-random");
            var folder = Path.Combine(models.FullName, "test", "tiny-phi3");
            Directory.CreateDirectory(folder);
            foreach (var file in Directory.EnumerateFiles(source))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            var configPath = Path.Combine(folder, "genai_config.json");
            var config = JsonNode.Parse(await File.ReadAllTextAsync(configPath))!;
            config["model"]!["type"] = "phi3";
            await File.WriteAllTextAsync(configPath, config.ToJsonString());

            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
            {
                ["Models:Directory"] = models.FullName,
                ["Models:BuildTinyRandomWhenEmpty"] = "false",
            });
            var (userId, key) = await host.WithServicesAsync(async services =>
            {
                var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"oga-{Guid.NewGuid():N}@example.test", "Passw0rd!oga", admin: false);
                await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 1_000_000, null, "official engine tests", null, CancellationToken.None);
                return (user.Id, (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "k", ApiKeyLimits.None, CancellationToken.None)).Secret);
            });
            using var client = host.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

            using (var list = await client.GetAsync(new Uri("/v1/models", UriKind.Relative)))
            {
                var entry = JsonNode.Parse(await list.Content.ReadAsStringAsync())!["data"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == Phi3)!;
                Assert.Equal("onnxruntime-genai", entry["engine"]!.GetValue<string>());
                Assert.DoesNotContain("logprobs", entry["supported_sampling_parameters"]!.AsArray().Select(p => p!.GetValue<string>()));
            }

            var before = await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None));
            using var completion = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(new JsonObject
            {
                ["model"] = Phi3,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello" }),
                ["max_tokens"] = 6,
                ["temperature"] = 0,
            }));
            var body = JsonNode.Parse(await completion.Content.ReadAsStringAsync())!;
            Assert.True(completion.IsSuccessStatusCode, body.ToJsonString());
            var completionTokens = body["usage"]!["completion_tokens"]!.GetValue<int>();
            Assert.InRange(completionTokens, 1, 6);
            await host.FlushUsageAsync();
            var inferenceId = completion.Headers.GetValues("Inference-Id").Single();
            var record = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().SingleAsync(u => u.InferenceId == inferenceId));
            Assert.Equal("ok", record.Status);
            Assert.Equal(completionTokens, record.CompletionTokens);
            Assert.True(record.CostMicros > 0);
            var after = await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None));
            Assert.Equal(before.UsableMicros - record.CostMicros, after.UsableMicros);

            using var refused = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(new JsonObject
            {
                ["model"] = Phi3,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello" }),
                ["max_tokens"] = 4,
                ["logprobs"] = true,
                ["stream"] = true,
            }));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("logprobs", error["param"]!.GetValue<string>());
            Assert.Contains("official ONNX Runtime GenAI", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
