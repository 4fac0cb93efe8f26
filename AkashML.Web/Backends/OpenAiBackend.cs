using System.Net.Http.Headers;
using AkashML.Inference.Serving;

namespace AkashML.Web.Backends;

/// <summary>
/// Any OpenAI-compatible server (vLLM, llama.cpp's <c>llama-server</c>, another AkashML, a provider) reached at
/// <see cref="BackendEntryOptions.BaseUrl"/>. Healthy when <c>GET {BaseUrl}/models</c> answers 2xx.
/// </summary>
public sealed class OpenAiBackend(IModelProvider models, PromptTemplates templates, IHttpClientFactory clients, string modelId, BackendEntryOptions entry) : IBackend
{
    public const string KindName = "openai";

    /// <summary>The named HttpClient every openai backend uses (no overall timeout: streams last as long as they last).</summary>
    public const string HttpClientName = "AkashML.Backends.OpenAi";

    private readonly Uri _baseUrl = BaseWithSlash(entry.BaseUrl!);
    private OpenAiTextModel? _model;

    public string Kind => KindName;

    public string Target => entry.BaseUrl!;

    public ValueTask<ITextModel> OpenAsync(CancellationToken cancellationToken)
    {
        if (_model is null)
        {
            // The local catalog entry of the same id gives the descriptor (prices, context), tokenizer and chat template.
            var descriptor = models.Find(modelId) ?? throw new BackendFailureException($"The model '{modelId}' is not in this process's catalog.");
            _model = new OpenAiTextModel(templates.TemplateFor(descriptor), this, entry.UpstreamModel is { Length: > 0 } upstream ? upstream : modelId);
        }

        return ValueTask.FromResult<ITextModel>(_model);
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, "models");
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BackendFailureException($"GET {new Uri(_baseUrl, "models")} answered {(int)response.StatusCode}.");
        }
    }

    internal HttpClient Client() => clients.CreateClient(HttpClientName);

    internal HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUrl, path));
        if (entry.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private static Uri BaseWithSlash(string baseUrl) => new(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute);
}

/// <summary>Makes <see cref="OpenAiBackend"/>s; an entry needs an absolute http(s) <c>BaseUrl</c>.</summary>
public sealed class OpenAiBackendFactory(IModelProvider models, PromptTemplates templates, IHttpClientFactory clients) : IBackendFactory
{
    public string Kind => OpenAiBackend.KindName;

    public IEnumerable<string> Validate(BackendEntryOptions entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Uri.TryCreate(entry.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            yield return "BaseUrl must be an absolute http or https URL (the API base, e.g. http://10.0.0.5:8000/v1).";
        }
    }

    public IBackend Create(string modelId, BackendEntryOptions entry) => new OpenAiBackend(models, templates, clients, modelId, entry);
}
