using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Inference.Tokenizers;

namespace AkashML.Web.Nodes;

/// <summary>
/// A model served by another AkashML process in the inference role, over the node protocol (<see cref="NodeEndpoints"/>).
/// Prompts are rendered and counted here with the model's own tokenizer and chat template (the catalog's copy of the
/// folder); only token ids travel. Cancelling a generation drops the connection, which cancels it on the node.
/// </summary>
public sealed class NodeTextModel : ITextModel
{
    private readonly HttpClient _http;
    private readonly Uri _generate;
    private readonly string _secret;
    private readonly ChatPrompt _prompt;

    /// <param name="http">Its timeout must allow whole generations (streams last as long as the output).</param>
    /// <param name="baseAddress">The node's address, e.g. <c>http://inference-0.inference:8080/</c>.</param>
    /// <param name="secret">The node's <c>Nodes:SharedSecret</c>.</param>
    /// <param name="descriptor">The model as this process's catalog describes it; its id is the id asked of the node.</param>
    /// <param name="prompt">The model's tokenizer and chat template.</param>
    public NodeTextModel(HttpClient http, Uri baseAddress, string secret, ModelDescriptor descriptor, ChatPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(prompt);
        _http = http;
        _generate = new Uri(baseAddress, NodeEndpoints.GeneratePath);
        _secret = secret;
        Descriptor = descriptor;
        _prompt = prompt;
    }

    public ModelDescriptor Descriptor { get; }

    public ITokenizer Tokenizer => _prompt.Tokenizer;

    public bool SupportsTools => _prompt.SupportsTools;

    /// <summary>Tokens the node reported for the last completed generation (for callers that meter by the node's count).</summary>
    public NodeUsage? LastUsage { get; private set; }

    public string RenderChat(JsonArray messages, JsonArray? tools, bool addGenerationPrompt) => _prompt.Render(messages, tools, addGenerationPrompt);

    public IReadOnlyList<int> EncodePrompt(string text, bool isRenderedChat) => _prompt.Encode(text, isRenderedChat);

    /// <summary>
    /// Everything, grammars included (they travel as their source and the node compiles them), is checked by the node,
    /// which answers 400 naming the parameter.
    /// </summary>
    public void EnsureSupported(GenerationRequest request) => ArgumentNullException.ThrowIfNull(request);

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureSupported(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, _generate)
        {
            Content = JsonContent.Create(NodeGenerateBody.From(Descriptor.Id, request), NodeJsonContext.Wire.NodeGenerateBody),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _secret);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(NodeEndpoints.ContentType));

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ModelUnavailableException(Descriptor.Id, $"its node at {_generate.GetLeftPart(UriPartial.Authority)} is not reachable: {ex.Message}", ex);
        }

        // Disposing the response on cancellation closes the connection mid-stream: that is what tells the node to stop.
        using (response)
        using (cancellationToken.Register(static state => ((HttpResponseMessage)state!).Dispose(), response))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, cancellationToken);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(stream);
            NodeUsage? usage = null;
            while (usage is null)
            {
                // Lines already buffered come back without looking at the token.
                cancellationToken.ThrowIfCancellationRequested();
                string? text;
                try
                {
                    text = await reader.ReadLineAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw new ModelUnavailableException(Descriptor.Id, "its node stopped answering mid-stream: " + ex.Message, ex);
                }

                if (text is null)
                {
                    throw new ModelUnavailableException(Descriptor.Id, "its node ended the stream before the usage line");
                }

                var line = Parse(text);
                if (line.Error is { } error)
                {
                    throw new ModelUnavailableException(Descriptor.Id, "its node failed: " + error.Message);
                }

                if (line.Update is { } update)
                {
                    yield return update.ToUpdate();
                }

                usage = line.Usage;
            }

            LastUsage = usage;
        }
    }

    private static NodeStreamLine Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, NodeJsonContext.Wire.NodeStreamLine) ?? throw new NodeProtocolException("the node sent a null line");
        }
        catch (JsonException ex)
        {
            throw new NodeProtocolException("the node sent a line that is not JSON: " + ex.Message, ex);
        }
    }

    /// <summary>The node's refusal as the exception the APIs already translate: 400 names the parameter, the rest is unavailability.</summary>
    private async Task<Exception> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        NodeError? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync(NodeJsonContext.Wire.NodeError, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // Not the node's JSON (a proxy's page): the status says enough.
        }

        var reason = error?.Message ?? $"its node answered {(int)response.StatusCode} {response.ReasonPhrase}";
        return response.StatusCode switch
        {
            HttpStatusCode.BadRequest => error?.Param is { } parameter ? new UnsupportedGenerationFeatureException(reason, parameter) : new UnsupportedGenerationFeatureException(reason),
            HttpStatusCode.Unauthorized => new ModelUnavailableException(Descriptor.Id, "its node refused the shared secret (Nodes:SharedSecret differs)"),
            _ => new ModelUnavailableException(Descriptor.Id, reason),
        };
    }
}
