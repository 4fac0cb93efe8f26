using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;

namespace AkashML.Web.Nodes;

/// <summary>
/// Makes <see cref="NodeTextModel"/>s: one per model and node address, sharing one <see cref="HttpClient"/> from the
/// host's factory. The backend pool calls it with kind <see cref="Kind"/>.
/// </summary>
public sealed class NodeBackendFactory(IHttpClientFactory clients)
{
    /// <summary>The name of the <see cref="HttpClient"/> node calls use (no overall timeout: a stream lasts as long as its output).</summary>
    public const string HttpClientName = "akashml-node";

    public string Kind => "node";

    /// <param name="baseAddress">The node, e.g. <c>http://inference-0.inference:8080/</c>.</param>
    /// <param name="secret">The node's <c>Nodes:SharedSecret</c>.</param>
    /// <param name="descriptor">The model from this process's catalog (its tokenizer and chat template are read from its folder).</param>
    public ITextModel Create(Uri baseAddress, string secret, ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return new NodeTextModel(clients.CreateClient(HttpClientName), baseAddress, secret, descriptor, ChatPrompt.FromDirectory(descriptor.Path));
    }
}
