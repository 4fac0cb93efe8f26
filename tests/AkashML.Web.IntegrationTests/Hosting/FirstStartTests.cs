using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>A fresh install with no model configured builds the smoke-test model once and serves it.</summary>
public sealed class FirstStartTests
{
    [Fact]
    public async Task The_first_start_builds_the_offline_model_and_the_next_start_reuses_it()
    {
        var data = Directory.CreateTempSubdirectory("akashml-first-start-");
        try
        {
            var settings = new Dictionary<string, string?> { ["AkashML:DataDirectory"] = data.FullName, ["Models:Directory"] = "" };
            var model = Path.Combine(data.FullName, "models", "akashml", "tiny-random", "model.onnx");
            DateTime built;
            await using (var first = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, settings))
            {
                Assert.True(File.Exists(model), "the smoke-test model was not built into the data directory");
                built = File.GetLastWriteTimeUtc(model);
                using var ready = await first.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));
                Assert.True(ready.IsSuccessStatusCode);
            }

            await using var second = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, settings);
            Assert.Equal(built, File.GetLastWriteTimeUtc(model));

            var key = await second.WithServicesAsync(async services =>
            {
                var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync("first@example.test", "Passw0rd!first", admin: false);
                await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 1_000_000, null, "test", null, CancellationToken.None);
                return (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "k", ApiKeyLimits.None, CancellationToken.None)).Secret;
            });
            using var client = second.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(
                """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""", Encoding.UTF8, "application/json"));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
            Assert.Equal(5, body["usage"]!["completion_tokens"]!.GetValue<int>());
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
