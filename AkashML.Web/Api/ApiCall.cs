using System.Diagnostics;
using AkashML.Billing.Reservations;
using AkashML.Web.Keys;

namespace AkashML.Web.Api;

/// <summary>
/// The state of one API request that cross-cutting concerns share: its Inference-Id, the caller's key, and what the
/// usage record needs (model, tokens, timings, outcome). Handlers fill it in; the API filter writes the record.
/// </summary>
public sealed class ApiCall
{
    private static readonly object ItemKey = new();

    private readonly long _started = Stopwatch.GetTimestamp();

    public required string InferenceId { get; init; }

    public required ApiSurface Surface { get; init; }

    public AuthenticatedKey? Key { get; set; }

    public string? Model { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public bool Streamed { get; set; }

    /// <summary>False for routes that are not metered (model lists, tokenizer).</summary>
    public bool Metered { get; set; }

    public int? TimeToFirstTokenMs { get; private set; }

    /// <summary>Credits held for this call until it settles.</summary>
    public RequestReservation? Reservation { get; set; }

    /// <summary>What the call cost once settled, in micro-dollars.</summary>
    public long CostMicros { get; set; }

    public int ElapsedMs => (int)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>Marks the first generated token (once).</summary>
    public void FirstToken() => TimeToFirstTokenMs ??= ElapsedMs;

    public static ApiCall Of(HttpContext context) =>
        context.Items[ItemKey] as ApiCall ?? throw new InvalidOperationException("the route is not inside an API group");

    public static ApiCall Start(HttpContext context, ApiSurface surface)
    {
        var call = new ApiCall { InferenceId = "inf-" + Guid.CreateVersion7().ToString("N"), Surface = surface };
        context.Items[ItemKey] = call;
        context.Response.Headers["Inference-Id"] = call.InferenceId;
        return call;
    }
}
