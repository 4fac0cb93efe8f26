using AkashML.Inference.Serving;
using AkashML.Web.Backends;

namespace AkashML.Web.Nodes;

/// <summary>
/// Makes <c>node</c> backends: another AkashML process with the inference role at <see cref="BackendEntryOptions.BaseUrl"/>,
/// whose <c>Nodes:SharedSecret</c> is the entry's <see cref="BackendEntryOptions.ApiKey"/>.
/// </summary>
public sealed class NodeBackendFactory(IModelProvider models, PromptTemplates templates, IHttpClientFactory clients) : IBackendFactory
{
    /// <summary>The name of the <see cref="HttpClient"/> node calls use (no overall timeout: a stream lasts as long as its output).</summary>
    public const string HttpClientName = "akashml-node";

    public string Kind => "node";

    public IEnumerable<string> Validate(BackendEntryOptions entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Uri.TryCreate(entry.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            yield return "BaseUrl must be the node's absolute http or https address (e.g. http://inference-0.inference:8080/).";
        }

        if (entry.ApiKey is not { Length: >= NodeOptions.MinimumSecretLength })
        {
            yield return $"ApiKey must be the node's Nodes:SharedSecret (at least {NodeOptions.MinimumSecretLength} characters).";
        }
    }

    public IBackend Create(string modelId, BackendEntryOptions entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new NodeBackend(models, templates, clients, modelId, new Uri(entry.BaseUrl!.EndsWith('/') ? entry.BaseUrl : entry.BaseUrl + "/", UriKind.Absolute), entry.ApiKey!);
    }
}
