using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Accounts;
using AkashML.Web.Cli;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Nodes;

/// <summary>The gateway role serves the dashboard and APIs without loading a model; roles are checked at start.</summary>
public sealed class RoleTests
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task The_gateway_role_serves_the_dashboard_and_apis_and_loads_no_model(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?> { ["Host:Role"] = "gateway" }, realHttp: true);
        var secret = await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"gw-{Guid.NewGuid():N}@example.test", "Passw0rd!gw", admin: false);
            return (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "gw", ApiKeyLimits.None, CancellationToken.None)).Secret;
        });

        using var http = new HttpClient { BaseAddress = host.RealAddress };
        using (var login = await http.GetAsync(new Uri("/Account/Login", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.Contains("<form", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Ready without any local model: a gateway needs its database only.
        var ready = JsonNode.Parse(await http.GetStringAsync(new Uri("/readyz", UriKind.Relative)))!;
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        Assert.Equal("gateway", ready["role"]!.GetValue<string>());

        // The catalog is still read (the models list), but asking for generation loads nothing here.
        var openAi = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions { Endpoint = new Uri(host.RealAddress!, "v1") });
        var models = (await openAi.GetOpenAIModelClient().GetModelsAsync()).Value;
        Assert.Contains(models, m => m.Id == InferenceNodeFixture.Model);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            openAi.GetChatClient(InferenceNodeFixture.Model).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }));
        Assert.Equal(503, refused.Status);
        Assert.Empty(host.Services.GetRequiredService<ModelHost>().LoadedModels);

        // The node protocol is not served by a gateway.
        using var node = await http.GetAsync(new Uri(Web.Nodes.NodeEndpoints.HealthPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, node.StatusCode);
    }

    [Fact]
    public async Task The_all_role_serves_the_node_protocol_beside_the_dashboard()
    {
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Nodes:SharedSecret"] = InferenceNodeFixture.Secret }, realHttp: true);
        using var http = new HttpClient { BaseAddress = host.RealAddress };
        var descriptor = host.Services.GetRequiredService<IModelProvider>().Find(InferenceNodeFixture.Model)!;
        var node = new Web.Nodes.NodeTextModel(http, host.RealAddress!, InferenceNodeFixture.Secret, descriptor, ChatPrompt.FromDirectory(descriptor.Path));
        var tokens = 0;
        await foreach (var update in node.GenerateAsync(new GenerationRequest { PromptTokens = node.EncodePrompt("hello", false), MaxNewTokens = 5, Temperature = 0 }, CancellationToken.None))
        {
            tokens += update.TokenIds.Count;
        }

        Assert.Equal(5, tokens);
        using var login = await http.GetAsync(new Uri("/Account/Login", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task An_unknown_role_stops_the_start_naming_the_roles()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Host:Role"] = "worker" });
        });
        Assert.Contains("Host:Role is 'worker'; it must be all, gateway or inference", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Nodes:SharedSecret is required for the inference role")]
    [InlineData("short", "Nodes:SharedSecret must have at least 16 characters")]
    public async Task The_inference_role_needs_a_long_enough_shared_secret(string? secret, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
            {
                ["Host:Role"] = "inference",
                ["Nodes:SharedSecret"] = secret,
            });
        });
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "serve", "--role", "gateway" }, new[] { "--Host:Role=gateway" })]
    [InlineData(new[] { "--role=inference", "--urls=http://0.0.0.0:8080" }, new[] { "--Host:Role=inference", "--urls=http://0.0.0.0:8080" })]
    [InlineData(new[] { "serve" }, new string[0])]
    [InlineData(new[] { "--urls=http://127.0.0.1:5000" }, new[] { "--urls=http://127.0.0.1:5000" })]
    public void Serve_arguments_turn_role_into_the_host_role_setting(string[] args, string[] expected) =>
        Assert.Equal(expected, CommandLine.ServeArguments(args));

    [Theory]
    [InlineData("serve", "--role")]
    [InlineData("--role", "--urls=http://127.0.0.1:5000")]
    public void A_role_flag_without_a_value_is_refused(params string[] args)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.ServeArguments(args));
        Assert.Contains("--role needs a value", error.Message, StringComparison.Ordinal);
    }
}
