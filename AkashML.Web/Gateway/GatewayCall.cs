using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Api;
using AkashML.Web.Api.OpenAi;
using AkashML.Web.Keys;

namespace AkashML.Web.Gateway;

/// <summary>
/// One admitted call through the in-process gateway (<see cref="InferenceGateway.StartAsync"/>): read the request
/// (<see cref="PrepareChatAsync"/>: model or preset, template, context fit, sampling, then the key's tokens per minute
/// and the credit hold), generate (<see cref="GenerateAsync"/>: counts every token as it comes, so a stop bills what was
/// produced), and settle exactly once in <see cref="FinishAsync"/> / <see cref="DisposeAsync"/>, whatever happened:
/// limits released, credits charged for the tokens produced and the rest released, the usage record written, and the
/// user's open dashboard circuits told their balance moved. The state is an <see cref="ApiCall"/>, the same object the
/// HTTP pipeline fills, so metering and usage records do not know which way a call came in.
/// </summary>
public sealed class GatewayCall : IAsyncDisposable
{
    private readonly InferenceGateway _gateway;
    private readonly KeyLimitGate _limits;
    private readonly CancellationToken _admission;
    private AsyncServiceScope? _scope;
    private Task<GatewayOutcome>? _finishing;
    private string _status = "ok";
    private int _statusCode = StatusCodes.Status200OK;
    private string? _error;
    private int _finishedChoiceTokens;

    internal GatewayCall(InferenceGateway gateway, AuthenticatedKey key, ApiSurface surface, CancellationToken admission)
    {
        _gateway = gateway;
        _admission = admission;
        _limits = new KeyLimitGate(gateway.Limiter, key);
        Call = ApiCall.Create(surface);
        Call.Key = key;
        if (key.Limits.TokensPerMinute is not null)
        {
            Call.OnReserveTokens(async (prompt, maxCompletion, cancellationToken) => await _limits.ReserveTokensAsync(prompt, maxCompletion, cancellationToken));
        }
    }

    /// <summary>The call's state: Inference-Id, model, tokens so far, cost once settled.</summary>
    public ApiCall Call { get; }

    public string InferenceId => Call.InferenceId;

    /// <summary>Set once the call has settled.</summary>
    public GatewayOutcome? Outcome { get; private set; }

    /// <summary>A scope of the call's own for scoped services (presets): a circuit's scope must not be shared by parallel calls.</summary>
    private IServiceProvider Services => (_scope ??= _gateway.Scopes.CreateAsyncScope()).ServiceProvider;

    internal async Task AdmitAsync() => await _limits.AdmitAsync(_admission);

    /// <summary>
    /// Reads an OpenAI chat-completions body (<c>model</c> may be <c>@preset/&lt;name&gt;</c>) exactly as
    /// <c>POST /v1/chat/completions</c> does, then reserves the key's tokens per minute and the credits. Throws
    /// <see cref="ApiException"/> (400, 404, 429, 402) with the API's messages; the failure is recorded when the call finishes.
    /// </summary>
    public async Task<ChatRequest> PrepareChatAsync(JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            // Read it as the API would have received it: values built in code (a long, a double) then convert to any
            // numeric type alike, and later changes by the caller cannot reach the running call.
            body = (JsonObject)JsonNode.Parse(body.ToJsonString())!;
            Call.RequestBody = body;
            var chat = await ChatRequest.ReadAsync(Call, Services, _gateway.Models, new JsonBody(body), cancellationToken);
            await chat.ReserveAsync(Call, _gateway.Metering, cancellationToken);
            return chat;
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }
    }

    /// <summary>
    /// Streams the model's updates for <paramref name="chat"/>, keeping the call's token count current on every update.
    /// Cancelling <paramref name="cancellationToken"/> stops generation within one decode step; the call is then
    /// recorded as <c>cancelled</c> and billed for the tokens produced so far.
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(ChatRequest chat, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var updates = chat.Model.GenerateAsync(chat.Generation, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                GenerationUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex)
                {
                    Fail(ex);
                    throw;
                }

                Call.Produced(update);
                Call.CompletionTokens = _finishedChoiceTokens + update.CompletionTokens;
                if (update.FinishReason is not null)
                {
                    _finishedChoiceTokens += update.CompletionTokens;
                }

                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }

    /// <summary>
    /// Records why the call failed (the first failure wins): cancellation is <c>cancelled</c>, anything else
    /// <c>error</c> with the status and message the API would answer.
    /// </summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_status != "ok")
        {
            return;
        }

        if (exception is OperationCanceledException)
        {
            _status = "cancelled";
            _statusCode = 499;
            _error = "stopped by the caller";
            return;
        }

        var failure = ApiException.From(exception);
        if (failure.Status >= StatusCodes.Status500InternalServerError)
        {
            _gateway.Logger.LogError(exception, "Gateway call {InferenceId} failed", Call.InferenceId);
        }

        _status = "error";
        _statusCode = failure.Status;
        _error = failure.Message;
    }

    /// <summary>Settles the call once (later calls return the same outcome); never throws for a settlement problem.</summary>
    public Task<GatewayOutcome> FinishAsync() => _finishing ??= SettleAsync();

    public async ValueTask DisposeAsync() => await FinishAsync();

    private async Task<GatewayOutcome> SettleAsync()
    {
        var logger = _gateway.Logger;
        try
        {
            await _limits.FinishAsync(Call.PromptTokens + Call.CompletionTokens);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A slot that could not be released expires once this replica stops renewing it.
            logger.LogError(ex, "Could not release the limits of {InferenceId}", Call.InferenceId);
        }

        _gateway.Metrics.Record(TimeSpan.Zero, _limits.Spent);
        try
        {
            await _gateway.Metering.SettleAsync(Call);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The hold stays until it expires; the usage record below still tells what was produced.
            logger.LogError(ex, "Could not settle the credits of {InferenceId}", Call.InferenceId);
        }

        if (Call.Metered || _status != "ok")
        {
            await _gateway.Usage.RecordAsync(Call, _status, _statusCode, _error);
        }

        if (_scope is { } scope)
        {
            await scope.DisposeAsync();
        }

        Outcome = new GatewayOutcome(Call.InferenceId, Call.Model, _status, Call.PromptTokens, Call.CompletionTokens, Call.CostMicros,
            Call.ElapsedMs, Call.TimeToFirstTokenMs, _error);
        return Outcome;
    }
}
