using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Inference.Native;
using AkashML.Tests.SharedFolder;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Cli;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// <c>POST /tokenize</c>'s special-token switch on a model whose tokenizer adds BOS (the shared tiny Llama), on a host
/// that names its ONNX Runtime library explicitly (<c>Inference:OnnxRuntimePath</c>) and answers a readiness probe,
/// which loads ORT, before it generates anything.
/// </summary>
public sealed class TokenizationTests
{
    private const string Llama = "test/tiny-llama";

    [NeedsSharedFact("models/tiny-random-LlamaForCausalLM-fp16")]
    public async Task Tokenize_honours_add_special_tokens_and_generation_works_after_a_readiness_probe_with_the_library_path_set()
    {
        var models = Directory.CreateTempSubdirectory("akashml-tokenize-models-");
        try
        {
            CopyFolder(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"), Path.Combine(models.FullName, "test", "tiny-llama"));
            var library = Path.Combine(AppContext.BaseDirectory, "runtimes", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "native", OnnxRuntimeLibrary.LibraryFileName);
            Assert.True(File.Exists(library), $"the NuGet package's library is not at {library}");
            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
            {
                ["Models:Directory"] = models.FullName,
                ["Models:BuildTinyRandomWhenEmpty"] = "false",
                ["Inference:OnnxRuntimePath"] = library,
            });
            var key = await host.WithServicesAsync(async services =>
            {
                var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"tok-{Guid.NewGuid():N}@example.test", "Passw0rd!tok", admin: false);
                await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 1_000_000, null, "tokenize tests", null, CancellationToken.None);
                return (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "k", ApiKeyLimits.None, CancellationToken.None)).Secret;
            });
            using var client = host.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

            using (var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            var byDefault = await TokensAsync(client, new JsonObject { ["prompt"] = "Hello world" });
            var withSpecial = await TokensAsync(client, new JsonObject { ["prompt"] = "Hello world", ["add_special_tokens"] = true });
            var without = await TokensAsync(client, new JsonObject { ["prompt"] = "Hello world", ["add_special_tokens"] = false });
            Assert.Equal(byDefault, withSpecial);
            Assert.Equal(1, byDefault[0]); // <s>
            Assert.Equal(byDefault[1..], without);

            var chat = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" });
            var chatDefault = await TokensAsync(client, new JsonObject { ["messages"] = chat.DeepClone() });
            var chatWith = await TokensAsync(client, new JsonObject { ["messages"] = chat.DeepClone(), ["add_special_tokens"] = true });
            Assert.Equal(chatDefault.Length + 1, chatWith.Length);
            Assert.Equal(chatDefault, chatWith[1..]);

            using var badFlag = await client.PostAsync(new Uri("/tokenize", UriKind.Relative), Json(new JsonObject { ["model"] = Llama, ["prompt"] = "x", ["add_special_tokens"] = "no" }));
            Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
            Assert.Contains("add_special_tokens", await badFlag.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var completion = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), Json(new JsonObject
            {
                ["model"] = Llama,
                ["prompt"] = "Hello",
                ["max_tokens"] = 4,
                ["temperature"] = 0,
            }));
            var body = JsonNode.Parse(await completion.Content.ReadAsStringAsync())!;
            Assert.True(completion.IsSuccessStatusCode, body.ToJsonString());
            Assert.Equal(4, body["usage"]!["completion_tokens"]!.GetValue<int>());
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    private static async Task<int[]> TokensAsync(HttpClient client, JsonObject request)
    {
        request["model"] = Llama;
        using var response = await client.PostAsync(new Uri("/tokenize", UriKind.Relative), Json(request));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["tokens"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
