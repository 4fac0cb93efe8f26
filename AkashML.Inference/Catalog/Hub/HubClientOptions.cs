namespace AkashML.Inference.Catalog.Hub;

/// <summary>Where the Hub is and how hard to try. <see cref="FromEnvironment"/> reads <c>HF_ENDPOINT</c> and <c>HF_TOKEN</c>.</summary>
public sealed class HubClientOptions
{
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>Base address of the Hub (or a mirror that speaks its API).</summary>
    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>User access token sent as <c>Authorization: Bearer</c>; needed for gated and private repositories.</summary>
    public string? Token { get; init; }

    /// <summary>Tries per file; a dropped connection resumes from the bytes already on disk.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Pause before the first retry; doubles on each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A response that sends nothing for this long counts as a dropped connection (no hang on a stalled socket).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Options from <c>HF_ENDPOINT</c> (default https://huggingface.co) and <c>HF_TOKEN</c>.</summary>
    public static HubClientOptions FromEnvironment()
    {
        var endpoint = Environment.GetEnvironmentVariable("HF_ENDPOINT");
        var token = Environment.GetEnvironmentVariable("HF_TOKEN");
        Uri? uri = null;
        if (!string.IsNullOrWhiteSpace(endpoint)
            && (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new HubException($"HF_ENDPOINT must be an http(s) URL, got '{endpoint}'.");
        }

        return new HubClientOptions
        {
            Endpoint = uri ?? DefaultEndpoint,
            Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim(),
        };
    }
}
