namespace AkashML.Web.Backends;

/// <summary>
/// Where each model's requests are served (<c>Backends</c> section). A model without an entry under
/// <see cref="Models"/> is served by this process alone, as before routing existed.
/// </summary>
public sealed class BackendsOptions
{
    public const string SectionName = "Backends";

    /// <summary>Backends by model id (the catalog id, e.g. <c>akashml/tiny-random</c>).</summary>
    public Dictionary<string, List<BackendEntryOptions>> Models { get; set; } = new(StringComparer.Ordinal);

    public BackendHealthCheckOptions HealthCheck { get; set; } = new();

    /// <summary>Requests of one model that may wait for a backend slot at once; one more is answered 529 at once.</summary>
    public int MaxQueuePerModel { get; set; } = 64;

    /// <summary>How often each replica reads the drain state other replicas wrote (the most a drain takes to reach every replica).</summary>
    public TimeSpan DrainRefresh { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>One backend of a model.</summary>
public sealed class BackendEntryOptions
{
    /// <summary><c>local</c> (this process), <c>openai</c> (an OpenAI-compatible server), or another registered kind.</summary>
    public string Kind { get; set; } = "";

    /// <summary>For remote kinds: the API base, e.g. <c>http://10.0.0.5:8000/v1</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>For <c>openai</c>: the model name the upstream knows it by (defaults to the model id).</summary>
    public string? UpstreamModel { get; set; }

    /// <summary>For remote kinds: the bearer key the upstream expects (none when empty).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Share of traffic relative to the model's other backends (least outstanding requests ÷ weight wins).</summary>
    public double Weight { get; set; } = 1;

    /// <summary>Requests this backend serves at once.</summary>
    public int MaxInFlight { get; set; } = 8;

    /// <summary>Requests that may wait for this backend; the model's queue is the sum over its healthy backends, at most <see cref="BackendsOptions.MaxQueuePerModel"/>.</summary>
    public int MaxQueue { get; set; } = 16;

    /// <summary>False keeps the entry in configuration without routing to it (a model whose backends are all disabled answers 504).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>Active health checks and passive ejection.</summary>
public sealed class BackendHealthCheckOptions
{
    /// <summary>Time between probes of each backend.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A probe that takes longer fails.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Consecutive failures (probes, or requests that failed before their first token) that mark a backend unhealthy.</summary>
    public int UnhealthyThreshold { get; set; } = 3;

    /// <summary>Consecutive successful probes that bring an unhealthy backend back.</summary>
    public int HealthyThreshold { get; set; } = 2;
}
