using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Reservations;
using AkashML.Inference.Serving;
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

    private List<Func<long, long, CancellationToken, ValueTask>>? _reservations;
    private bool _reserved;

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

    /// <summary>What <see cref="ReserveTokensAsync"/> was told: the prompt and the most tokens the request may generate.</summary>
    public long ReservedPromptTokens { get; private set; }

    public long ReservedCompletionTokens { get; private set; }

    /// <summary>Time spent authenticating the key (the gateway metric).</summary>
    public TimeSpan AuthDuration { get; set; }

    /// <summary>Credits held for this call until it settles.</summary>
    public RequestReservation? Reservation { get; set; }

    /// <summary>What the call cost once settled, in micro-dollars.</summary>
    public long CostMicros { get; set; }

    public int ElapsedMs => (int)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>Marks the first generated token (once).</summary>
    public void FirstToken() => TimeToFirstTokenMs ??= ElapsedMs;

    /// <summary>
    /// Adds a step to run when the handler reserves tokens (the key's tokens-per-minute limit): the gateway filters
    /// register these, the handler calls <see cref="ReserveTokensAsync"/> once it knows the prompt and the maximum.
    /// A step refuses the request by throwing an <see cref="ApiException"/>.
    /// </summary>
    public void OnReserveTokens(Func<long, long, CancellationToken, ValueTask> step) => (_reservations ??= []).Add(step);

    /// <summary>
    /// Reserves the prompt tokens plus the most the request may generate, before any of the response is written (so
    /// limit headers can still be set). Generating handlers call this exactly once.
    /// </summary>
    public async ValueTask ReserveTokensAsync(long promptTokens, long maxCompletionTokens, CancellationToken cancellationToken)
    {
        if (_reserved)
        {
            throw new InvalidOperationException("Tokens are reserved once per request.");
        }

        _reserved = true;
        ReservedPromptTokens = promptTokens;
        ReservedCompletionTokens = maxCompletionTokens;
        foreach (var step in _reservations ?? [])
        {
            await step(promptTokens, maxCompletionTokens, cancellationToken);
        }
    }

    /// <summary>The parsed request body (set as it is read), for the parameters column and opt-in retention.</summary>
    public JsonObject? RequestBody { get; set; }

    /// <summary>The text generated for the first choice so far, up to <see cref="MaxOutputChars"/>.</summary>
    public string OutputText => _output?.ToString() ?? "";

    /// <summary>Output beyond this many characters is not kept for retention (the record still counts every token).</summary>
    public const int MaxOutputChars = 256 * 1024;

    private StringBuilder? _output;

    /// <summary>Called for every generation update: marks the first token and keeps the first choice's text.</summary>
    public void Produced(GenerationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        FirstToken();
        if (update.ChoiceIndex == 0 && update.Text.Length > 0)
        {
            _output ??= new StringBuilder();
            if (_output.Length < MaxOutputChars)
            {
                _output.Append(update.Text.AsSpan(0, Math.Min(update.Text.Length, MaxOutputChars - _output.Length)));
            }
        }
    }

    /// <summary>The call of an API request, or null outside the API groups.</summary>
    public static ApiCall? TryOf(HttpContext context) => context.Items[ItemKey] as ApiCall;

    public static ApiCall Of(HttpContext context) =>
        context.Items[ItemKey] as ApiCall ?? throw new InvalidOperationException("the route is not inside an API group");

    /// <summary>A new call with its own Inference-Id, for callers without an HTTP request (the in-process gateway).</summary>
    public static ApiCall Create(ApiSurface surface) => new() { InferenceId = "inf-" + Guid.CreateVersion7().ToString("N"), Surface = surface };

    public static ApiCall Start(HttpContext context, ApiSurface surface)
    {
        ArgumentNullException.ThrowIfNull(context);
        var call = Create(surface);
        context.Items[ItemKey] = call;
        context.Response.Headers["Inference-Id"] = call.InferenceId;
        return call;
    }
}
