using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Anthropic.Core;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>The official SDKs pointed at a host's OpenAI (<c>/v1</c>) and Anthropic (<c>/anthropic</c>) routes, without retries (tests see every answer).</summary>
public static class SdkClients
{
    public static OpenAIClient OpenAi(Uri host, string key) =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(host, "v1"), RetryPolicy = new ClientRetryPolicy(0) });

    public static AnthropicClient Anthropic(Uri host, string key) =>
        new(new ClientOptions { BaseUrl = new Uri(host, "anthropic").ToString(), ApiKey = key, MaxRetries = 0 });
}
