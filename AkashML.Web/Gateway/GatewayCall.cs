using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Reservations;
using AkashML.Inference.Serving;
using AkashML.Web.Backends;
using AkashML.Web.Keys;
using AkashML.Web.Limits;
using AkashML.Web.Presets;

namespace AkashML.Web.Gateway;

/// <summary>
/// One call through the gateway, whoever makes it (an API route or the playground), in the order it happens:
/// admission under the key's limits (<see cref="InferenceGateway.OpenAsync"/>), the model or preset
/// (<see cref="ResolveModelAsync"/>), the key's tokens per minute and the credit hold together (<see cref="ReserveAsync"/>),
/// generation that counts every token as it comes (<see cref="GenerateAsync"/>), and settlement exactly once
/// (<see cref="FinishAsync"/>): limits released, the tokens produced charged and the rest of the hold released, the
/// usage record written. Callers only read its state; each step keeps it current itself.
/// </summary>
public sealed class GatewayCall : IAsyncDisposable
{
    /// <summary>Output beyond this many characters is not kept for retention (the record still counts every token).</summary>
    public const int MaxOutputChars = 256 * 1024;

    /// <summary>How long settlement keeps retrying while the database is away before the call is answered 503.</summary>
    private static readonly TimeSpan SettlementPatience = TimeSpan.FromSeconds(10);

    private readonly InferenceGateway _gateway;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _authentication;
    private Task<GatewayOutcome>? _finishing;
    private RequestReservation? _reservation;
    private BackendLease? _lease;
    private StringBuilder? _output;
    private int[] _choiceTokens = [];
    private int _finishedGenerationTokens;
    private int _finishedGenerationCached;
    private int _streams;
    private long _firstTokenAt;
    private long _lastTokenAt;
    private bool _counted;
    private int? _failedStatus;
    private string _status = "ok";
    private string? _error;

    internal GatewayCall(InferenceGateway gateway, string inferenceId, ApiSurface surface, AuthenticatedKey key, TimeSpan authentication)
    {
        _gateway = gateway;
        _authentication = authentication;
        InferenceId = inferenceId;
        Surface = surface;
        Key = key;
        Limits = new KeyLimitGate(gateway.Limiter, key);
    }

    public string InferenceId { get; }

    public ApiSurface Surface { get; }

    public AuthenticatedKey Key { get; }

    /// <summary>The call's passage through the key's limits: its decisions give the rate-limit headers.</summary>
    public KeyLimitGate Limits { get; }

    /// <summary>The model id once resolved.</summary>
    public string? Model { get; private set; }

    /// <summary>The parsed request body, for the parameters column and opt-in retention.</summary>
    public JsonObject? RequestBody { get; private set; }

    /// <summary>True once the call reserved to generate (model lists and token counts are not metered).</summary>
    public bool Metered { get; private set; }

    public bool Streamed { get; private set; }

    public int PromptTokens { get; private set; }

    /// <summary>
    /// Of <see cref="PromptTokens"/>, those the model reused from its prefix cache, across prompts (a prompt counts once:
    /// what its first choice reused); current on every update.
    /// </summary>
    public int CachedPromptTokens { get; private set; }

    /// <summary>Every completion token produced so far, across choices and prompts; current on every update.</summary>
    public int CompletionTokens { get; private set; }

    public int? TimeToFirstTokenMs { get; private set; }

    /// <summary>How long the call waited for a backend slot of a routed model; null when the model is not routed.</summary>
    public int? QueueMs { get; private set; }

    public int ElapsedMs => (int)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>The text generated for the first choice so far, up to <see cref="MaxOutputChars"/>.</summary>
    public string OutputText => _output?.ToString() ?? "";

    /// <summary>Set once the call has settled.</summary>
    public GatewayOutcome? Outcome { get; private set; }

    /// <summary>Why the charge could not be committed (database away: 503; database full: 507), when it could not.</summary>
    public ApiException? SettlementFailure { get; private set; }

    /// <summary>
    /// Admits the call under the key's requests per minute and concurrency (429 when refused); the first step of every
    /// call. The decision is kept for the rate-limit headers (<see cref="KeyLimitGate.Requests"/>).
    /// </summary>
    public async Task AdmitAsync(CancellationToken cancellationToken) => await Limits.AdmitAsync(cancellationToken);

    /// <summary>
    /// Resolves the body's <c>model</c>: <c>@preset/&lt;name&gt;</c> names one of the caller's presets, whose defaults
    /// are merged into <paramref name="body"/> first (<see cref="PresetDefaults"/>); 404 for an unknown model or preset,
    /// 403 for a model outside the key's allow-list (whichever way it was named). The body is kept as the request's record.
    /// </summary>
    public async Task<ITextModel> ResolveModelAsync(JsonBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestBody = body.Root;
        var requested = body.RequiredString("model");
        var id = requested;
        if (PresetNames.FromModel(id) is { } preset)
        {
            id = await _gateway.Presets.ApplyAsync(Key.UserId, Surface, preset, body, cancellationToken);
        }

        var descriptor = _gateway.Models.Find(id) ?? throw ApiException.ModelNotFound(id);
        if (!Key.Limits.Allows(descriptor.Id))
        {
            throw ApiException.ModelNotAllowed(Key, requested, descriptor.Id);
        }

        Model = descriptor.Id;
        if (!_counted)
        {
            _counted = true;
            _gateway.Telemetry.Started(Model);
        }

        return await _gateway.Router.GetAsync(descriptor, cancellationToken);
    }

    /// <summary>
    /// Before generating: takes a backend slot when the model is routed (504 no backend, 529 none healthy or its queue
    /// full; the wait is the call's <see cref="QueueMs"/>), reserves the prompt plus the most the call may produce against
    /// the key's tokens per minute (429) and holds the credits for them at the model's price (402), within the key's
    /// budget (402 naming it). Once per call, before any response is started, so every refusal keeps its status.
    /// </summary>
    public async Task ReserveAsync(ITextModel model, int promptTokens, long maxCompletionTokens, bool streamed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Metered)
        {
            throw new InvalidOperationException("A call reserves once.");
        }

        Metered = true;
        Streamed = streamed;
        PromptTokens = promptTokens;
        if (model is RoutedModel routed)
        {
            _lease = await routed.Pool.AcquireAsync(cancellationToken);
            QueueMs = _lease.QueueMs;
        }

        await Limits.ReserveTokensAsync(promptTokens, maxCompletionTokens, cancellationToken);
        _reservation = await _gateway.Metering.ReserveAsync(Key, InferenceId, model.Descriptor, promptTokens, maxCompletionTokens, cancellationToken);
    }

    /// <summary>
    /// Streams the model's updates for <paramref name="request"/>, keeping <see cref="CompletionTokens"/> current on every
    /// update so a call stopped half-way is billed for what it produced. A call may generate several times (one per
    /// prompt of a legacy completion); the counts add up. A routed model generates on the call's backend slot; an
    /// upstream that counts the prompt itself corrects <see cref="PromptTokens"/>.
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(ITextModel model, GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        if (!Metered)
        {
            throw new InvalidOperationException("Reserve before generating.");
        }

        Array.Clear(_choiceTokens);
        try
        {
            var updates = _lease is { } lease ? lease.GenerateAsync(request, cancellationToken) : model.GenerateAsync(request, cancellationToken);
            await foreach (var update in updates)
            {
                if (update.PromptTokens is { } counted)
                {
                    PromptTokens += counted - request.PromptTokens.Count;
                }

                Count(update);
                yield return update;
            }
        }
        finally
        {
            _finishedGenerationTokens = CompletionTokens;
            _finishedGenerationCached = CachedPromptTokens;
            Array.Clear(_choiceTokens);
        }
    }

    /// <summary>
    /// Records why the call failed (the first failure wins): cancellation is <c>cancelled</c> (499), anything else
    /// <c>error</c> with the status and message the API answers.
    /// </summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_failedStatus is not null)
        {
            return;
        }

        if (exception is OperationCanceledException)
        {
            _failedStatus = InferenceGateway.ClientClosedRequest;
            _status = "cancelled";
            _error = "cancelled by the caller";
            return;
        }

        var failure = ApiException.From(exception);
        if (failure.Status >= StatusCodes.Status500InternalServerError)
        {
            _gateway.Logger.LogError(exception, "Gateway call {InferenceId} failed", InferenceId);
        }

        _failedStatus = failure.Status;
        _status = "error";
        _error = failure.Message;
    }

    /// <summary>Settles the call once (later calls return the same outcome); never throws for a settlement problem.</summary>
    public Task<GatewayOutcome> FinishAsync() => _finishing ??= SettleAsync();

    public async ValueTask DisposeAsync() => await FinishAsync();

    private void Count(GenerationUpdate update)
    {
        TimeToFirstTokenMs ??= ElapsedMs;
        _lastTokenAt = Stopwatch.GetTimestamp();
        if (_firstTokenAt == 0)
        {
            _firstTokenAt = _lastTokenAt;
        }

        var index = update.ChoiceIndex;
        _streams = Math.Max(_streams, index + 1);
        if (index >= _choiceTokens.Length)
        {
            Array.Resize(ref _choiceTokens, Math.Max(index + 1, _choiceTokens.Length * 2));
        }

        _choiceTokens[index] = update.CompletionTokens;
        if (index == 0)
        {
            CachedPromptTokens = Math.Min(_finishedGenerationCached + update.CachedPromptTokens, PromptTokens);
        }

        var produced = _finishedGenerationTokens;
        foreach (var tokens in _choiceTokens)
        {
            produced += tokens;
        }

        CompletionTokens = produced;
        if (index == 0 && update.Text.Length > 0)
        {
            _output ??= new StringBuilder();
            if (_output.Length < MaxOutputChars)
            {
                _output.Append(update.Text.AsSpan(0, Math.Min(update.Text.Length, MaxOutputChars - _output.Length)));
            }
        }
    }

    private async Task<GatewayOutcome> SettleAsync()
    {
        var logger = _gateway.Logger;
        _lease?.Dispose();
        try
        {
            await Limits.FinishAsync(PromptTokens + CompletionTokens);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A slot that could not be released expires once this replica stops renewing it.
            logger.LogError(ex, "Could not release the limits of {InferenceId}", InferenceId);
        }

        _gateway.Metrics.Record(_authentication, Limits.Spent);
        long cost = 0;
        var unsettled = false;
        if (_reservation is { } reservation)
        {
            _reservation = null;
            (cost, var outage) = await SettleCreditsAsync(reservation);
            unsettled = outage is not null;
            SettlementFailure = outage;
            if (outage is not null)
            {
                // Closed in the background once the database takes it, exactly once. A streamed answer has reached the
                // caller as it came, so its tokens are owed; any other caller gets this 503 (507 when the database is
                // full) instead of the answer, so its hold is released.
                _gateway.Unsettled.Enqueue(Streamed
                    ? new UnsettledCharge(reservation, Key.UserId, PromptTokens, CachedPromptTokens, CompletionTokens)
                    : new UnsettledCharge(reservation, Key.UserId, 0, 0, 0));
                _failedStatus = outage.Status;
                _status = "error";
                _error = outage.Message;
            }
        }

        Outcome = new GatewayOutcome(InferenceId, Model, _status, PromptTokens, CompletionTokens, cost, ElapsedMs, TimeToFirstTokenMs, _error, unsettled, CachedPromptTokens) { QueueMs = QueueMs };
        _gateway.Telemetry.Settled(Outcome, Surface, _counted, InterTokenLatency());
        if (Metered || _failedStatus is not null)
        {
            await _gateway.Usage.RecordAsync(this, Outcome, _failedStatus ?? StatusCodes.Status200OK);
        }

        return Outcome;
    }

    /// <summary>Mean time between tokens after the first, per choice stream (choices decode side by side); null under two tokens a stream.</summary>
    private TimeSpan? InterTokenLatency()
    {
        var perStream = _streams == 0 ? 0 : CompletionTokens / _streams;
        return perStream < 2 ? null : Stopwatch.GetElapsedTime(_firstTokenAt, _lastTokenAt) / (perStream - 1);
    }

    /// <summary>
    /// Charges what was produced, retrying while the database is briefly away (a restart, a failover) so that the
    /// tokens already produced are charged once; other failures are not retried. The error to answer with when it could not be done.
    /// </summary>
    private async Task<(long Cost, ApiException? Failure)> SettleCreditsAsync(RequestReservation reservation)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return (await _gateway.Metering.SettleAsync(reservation, Key.UserId, PromptTokens, CachedPromptTokens, CompletionTokens), null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var failure = ApiException.From(ex);
                if (failure.Status != StatusCodes.Status503ServiceUnavailable || Stopwatch.GetElapsedTime(started) + delay > SettlementPatience)
                {
                    _gateway.Logger.LogError(ex, "Could not settle the credits of {InferenceId}", InferenceId);
                    return (0, failure.Status == StatusCodes.Status507InsufficientStorage ? failure : ApiException.DatabaseUnavailable());
                }

                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }
}
