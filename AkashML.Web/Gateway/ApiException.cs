using AkashML.Web.Backends;
using System.Globalization;
using System.Text.Json;
using AkashML.Data;
using AkashML.Inference.Serving;
using AkashML.Web.Keys;

namespace AkashML.Web.Gateway;

/// <summary>
/// An expected failure of an API request, rendered in the calling surface's error shape with its status code.
/// </summary>
public sealed class ApiException(int status, ApiErrorKind kind, string message, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;

    public ApiErrorKind Kind { get; } = kind;

    public string? Param { get; } = param;

    public string? Code { get; } = code;

    /// <summary>Extra headers (Retry-After…) to send with the error.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    private const string DatabaseRetryAfterSeconds = "2";

    /// <summary>"Overloaded", as Anthropic answers it; OpenAI-shaped routes use it too for a model with no capacity now.</summary>
    public const int Status529Overloaded = 529;

    /// <summary>How long a caller should wait after a 504: an operator has to configure a backend first.</summary>
    public static ApiException InvalidParameter(string param, string message) =>
        new(StatusCodes.Status400BadRequest, ApiErrorKind.InvalidRequest, message, param, "invalid_parameter");

    public static ApiException Unauthorized(string message) =>
        new(StatusCodes.Status401Unauthorized, ApiErrorKind.Authentication, message, code: "invalid_api_key");

    /// <summary>The database cannot be reached (restarting, failing over): 503 with Retry-After, nothing charged.</summary>
    public static ApiException DatabaseUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, ApiErrorKind.Overloaded, "The service's database is unavailable right now; nothing was charged. Retry shortly.")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = DatabaseRetryAfterSeconds },
        };

    /// <summary>The model is routed but has no enabled backend: 504 with Retry-After.</summary>
    /// <summary>
    /// A routed model's refusal: no enabled backend is 504, none healthy or its queue full 529 (Anthropic's
    /// overloaded_error), each with Retry-After; an upstream's refusal of the request itself is a 400 with its message.
    /// </summary>
    public static ApiException FromBackend(BackendRefusedException refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        var (status, kind, code) = refused.Reason switch
        {
            BackendRefusal.NoBackend => (StatusCodes.Status504GatewayTimeout, ApiErrorKind.Timeout, "no_backend"),
            BackendRefusal.NoHealthyBackend => (Status529Overloaded, ApiErrorKind.Overloaded, "no_healthy_backend"),
            BackendRefusal.QueueFull => (Status529Overloaded, ApiErrorKind.Overloaded, "queue_full"),
            _ => (StatusCodes.Status400BadRequest, ApiErrorKind.InvalidRequest, "upstream_refused"),
        };
        return refused.Reason == BackendRefusal.RequestRefused
            ? new ApiException(status, kind, refused.Message, code: code)
            : new ApiException(status, kind, refused.Message, "model", code) { Headers = new Dictionary<string, string> { ["Retry-After"] = refused.RetryAfterSeconds } };
    }

    /// <summary>
    /// The database refused a write for want of space (disk or file-size cap full): 507, nothing charged. Reads go on
    /// working; an operator has to free space, so no Retry-After is promised.
    /// </summary>
    public static ApiException DatabaseFull() =>
        new(StatusCodes.Status507InsufficientStorage, ApiErrorKind.Overloaded,
            "The service's database is full (disk full), so the request could not be recorded; nothing was charged. Retry after the operator frees space.",
            code: "database_full");

    public static ApiException ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, ApiErrorKind.NotFound, $"The model '{model}' does not exist.", "model", "model_not_found");

    /// <summary>The key's allow-list does not include the model <paramref name="requested"/> resolved to.</summary>
    public static ApiException ModelNotAllowed(AuthenticatedKey key, string requested, string modelId)
    {
        ArgumentNullException.ThrowIfNull(key);
        var named = requested == modelId ? $"the model '{modelId}'" : $"'{requested}' (the model '{modelId}')";
        var allowed = key.Limits.AllowedModels is { Count: > 0 } list ? string.Join(", ", list) : "none";
        return new(StatusCodes.Status403Forbidden, ApiErrorKind.PermissionDenied,
            $"The key '{key.Name}' is not allowed to use {named}; its allowed models are: {allowed}.", "model", "model_not_allowed");
    }

    /// <summary>
    /// What a failure means to the caller: expected failures keep their status and message; anything else is a 500
    /// that reveals nothing of the server. Cancellation is the caller's own doing and is not translated here.
    /// </summary>
    public static ApiException From(Exception ex) => ex switch
    {
        ApiException api => api,
        JsonException json => InvalidParameter("body", "The request body is not valid JSON: " + json.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ApiException(StatusCodes.Status413PayloadTooLarge, ApiErrorKind.RequestTooLarge, "The request body is too large."),
        BadHttpRequestException bad => new ApiException(bad.StatusCode, ApiErrorKind.InvalidRequest, bad.Message),
        ModelUnavailableException unavailable => new ApiException(StatusCodes.Status503ServiceUnavailable, ApiErrorKind.Overloaded, unavailable.Message),
        BackendRefusedException refused => FromBackend(refused),
        _ when StorageFull.IsCause(ex) => DatabaseFull(),
        _ when DatabaseOutage.IsCause(ex) => DatabaseUnavailable(),
        _ => new ApiException(StatusCodes.Status500InternalServerError, ApiErrorKind.Internal, "The server failed to process the request."),
    };
}

/// <summary>Error categories; each surface names them its own way.</summary>
public enum ApiErrorKind
{
    InvalidRequest,
    Authentication,
    PermissionDenied,
    NotFound,
    RequestTooLarge,
    RateLimited,
    InsufficientCredits,
    Internal,
    Timeout,
    Overloaded,
}
