namespace AkashML.Web.Backends;

/// <summary>Why a routed model cannot take a request now; the gateway answers each in the route's error shape.</summary>
public enum BackendRefusal
{
    /// <summary>No enabled backend is configured (504).</summary>
    NoBackend,

    /// <summary>Every backend is unhealthy or drained (529).</summary>
    NoHealthyBackend,

    /// <summary>Every backend is busy and the model's queue is full (529 at once).</summary>
    QueueFull,

    /// <summary>An upstream refused the request itself, not for its own trouble (400 with its message).</summary>
    RequestRefused,
}

/// <summary>A routed model refused a request (<see cref="Reason"/>); not the backend's failure, so never retried elsewhere.</summary>
public sealed class BackendRefusedException : Exception
{
    public BackendRefusedException()
    {
    }

    public BackendRefusedException(string message)
        : base(message)
    {
    }

    public BackendRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public BackendRefusedException(BackendRefusal reason, string modelId, string message, string retryAfterSeconds = "1")
        : base(message)
    {
        Reason = reason;
        ModelId = modelId;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public BackendRefusal Reason { get; }

    public string ModelId { get; } = "";

    public string RetryAfterSeconds { get; } = "1";
}
