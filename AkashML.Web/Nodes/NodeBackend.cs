using System.Net.Http.Headers;
using System.Net.Http.Json;
using AkashML.Inference.Serving;
using AkashML.Web.Backends;

namespace AkashML.Web.Nodes;

/// <summary>
/// A model served by an inference node over the node protocol. The text model is built once, from this process's
/// catalog entry (tokenizer, chat template, prices) without loading its weights; healthy while the node's
/// <c>/internal/v1/health</c> answers and lists the model.
/// </summary>
public sealed class NodeBackend(IModelProvider models, PromptTemplates templates, IHttpClientFactory clients, string modelId, Uri baseAddress, string secret) : IBackend
{
    private NodeTextModel? _model;

    public string Kind => "node";

    public string Target => baseAddress.ToString();

    public ValueTask<ITextModel> OpenAsync(CancellationToken cancellationToken)
    {
        if (_model is null)
        {
            var descriptor = models.Find(modelId) ?? throw new BackendFailureException($"The model '{modelId}' is not in this process's catalog.");
            _model = new NodeTextModel(clients.CreateClient(NodeBackendFactory.HttpClientName), baseAddress, secret, descriptor, templates.For(descriptor));
        }

        return ValueTask.FromResult<ITextModel>(_model);
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, NodeEndpoints.HealthPath.TrimStart('/')));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await clients.CreateClient(NodeBackendFactory.HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BackendFailureException($"GET {request.RequestUri} answered {(int)response.StatusCode}.");
        }

        var health = await response.Content.ReadFromJsonAsync(NodeJsonContext.Wire.NodeHealth, cancellationToken);
        if (health is null || !health.Models.Contains(modelId, StringComparer.Ordinal))
        {
            throw new BackendFailureException($"The node at {baseAddress} does not serve '{modelId}'.");
        }
    }
}
