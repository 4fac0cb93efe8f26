using System.Net.Http.Headers;
using System.Net.Http.Json;
using AkashML.Inference.Serving;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Nodes;

/// <summary>A host started with the inference role on real Kestrel (127.0.0.1), with a shared secret, serving the smoke-test model.</summary>
public sealed class InferenceNodeFixture : IAsyncLifetime
{
    public const string Model = "akashml/tiny-random";

    public const string Secret = "node-secret-for-tests-0123456789";

    public AkashWebHost Host { get; private set; } = null!;

    public Uri BaseAddress => Host.RealAddress!;

    public async Task InitializeAsync() =>
        Host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Host:Role"] = "inference",
            ["Nodes:SharedSecret"] = Secret,
        }, realHttp: true);

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();

    /// <summary>A client for raw calls; with the node's secret unless told otherwise.</summary>
    public HttpClient Http(string? secret = Secret)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (secret is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return client;
    }

    /// <summary>The model as the node itself runs it, in process: the reference for what comes over the wire.</summary>
    public ValueTask<ITextModel> LocalModelAsync() =>
        Host.Services.GetRequiredService<IModelProvider>().GetAsync(Model, CancellationToken.None);

    /// <summary>The gateway's side: the same model reached over HTTP through the node protocol.</summary>
    public NodeTextModel NodeModel(HttpClient http, string secret = Secret)
    {
        var descriptor = Host.Services.GetRequiredService<IModelProvider>().Find(Model)!;
        return new NodeTextModel(http, BaseAddress, secret, descriptor, ChatPrompt.FromDirectory(descriptor.Path));
    }

    public async Task<NodeHealth> HealthAsync()
    {
        using var http = Http();
        return (await http.GetFromJsonAsync(new Uri(NodeEndpoints.HealthPath, UriKind.Relative), NodeJsonContext.Wire.NodeHealth))!;
    }
}
