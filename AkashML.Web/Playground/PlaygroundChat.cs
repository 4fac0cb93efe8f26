using System.Text.Json.Nodes;
using AkashML.Web.Api.OpenAi;
using AkashML.Web.Gateway;
using AkashML.Web.Keys;

namespace AkashML.Web.Playground;

/// <summary>
/// Runs one playground reply in-process: as the user's hidden playground key (<see cref="PlaygroundKeys"/>) or one of
/// their API keys that they chose to run as (whose budget and allow-list then apply, as they would over the API), through
/// the <see cref="InferenceGateway"/> — the key's limits, the credit hold and settlement, the usage record with
/// surface <c>playground</c> — streaming the text into a <see cref="PlaygroundReply"/> as it is generated.
/// </summary>
public sealed class PlaygroundChat(InferenceGateway gateway, PlaygroundKeys keys, ILogger<PlaygroundChat> logger)
{
    /// <summary>
    /// Streams the answer to <paramref name="body"/> (an OpenAI chat-completions body) into <paramref name="reply"/>,
    /// calling <paramref name="onText"/> after each piece of text. Cancelling <paramref name="cancellationToken"/> (Stop,
    /// or the circuit going away) stops within one decode step; the reply then keeps what was produced, which is billed.
    /// Never throws for a refused or failed request: <see cref="PlaygroundReply.Error"/> says what happened.
    /// </summary>
    public Task RunAsync(string userId, JsonObject body, PlaygroundReply reply, Func<Task> onText, CancellationToken cancellationToken) =>
        RunAsync(userId, keyId: null, body, reply, onText, cancellationToken);

    /// <summary>As the other overload, running as the user's key <paramref name="keyId"/> (null: the hidden playground key).</summary>
    public async Task RunAsync(string userId, Guid? keyId, JsonObject body, PlaygroundReply reply, Func<Task> onText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(onText);
        reply.State = ReplyState.Streaming;
        var ended = ReplyState.Done;
        reply.Text = "";
        reply.Error = null;
        reply.ErrorStatus = null;
        GatewayCall? call = null;
        try
        {
            var key = await keys.GetAsync(userId, keyId, cancellationToken);
            call = await gateway.OpenAsync(key, ApiSurface.Playground, cancellationToken);
            reply.InferenceId = call.InferenceId;
            // Read as the API reads a request it received: a copy of its own (the caller's later edits cannot reach the
            // running call, numbers built in code convert like parsed ones), streaming into the page, recorded so.
            var request = (JsonObject)JsonNode.Parse(body.ToJsonString())!;
            request["stream"] = true;
            var chat = await ChatRequest.ReadAsync(call, new JsonBody(request), cancellationToken);
            await chat.ReserveAsync(call, cancellationToken);
            reply.PromptTokens = chat.Generation.PromptTokens.Count;
            await foreach (var update in call.GenerateAsync(chat.Model, chat.Generation, cancellationToken))
            {
                if (update.Text.Length > 0)
                {
                    reply.Text += update.Text;
                    reply.CompletionTokens = call.CompletionTokens;
                    await onText();
                }
            }
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            call?.Fail(ex);
            ended = ReplyState.Stopped;
        }
        catch (Exception ex)
        {
            call?.Fail(ex);
            var failure = ApiException.From(ex);
            if (failure.Status >= StatusCodes.Status500InternalServerError && ex is not ApiException)
            {
                logger.LogError(ex, "A playground reply failed");
            }

            ended = ReplyState.Failed;
            reply.ErrorStatus = failure.Status;
            reply.Error = failure.Message;
        }
        finally
        {
            if (call is not null)
            {
                var outcome = await call.FinishAsync();
                reply.InferenceId = outcome.InferenceId;
                reply.PromptTokens = outcome.PromptTokens;
                reply.CompletionTokens = outcome.CompletionTokens;
                reply.CostMicros = outcome.CostMicros;
                reply.LatencyMs = outcome.LatencyMs;
                reply.TimeToFirstTokenMs = outcome.TimeToFirstTokenMs;
            }

            // Only now, settled: the reply shows its final state together with what it cost.
            reply.State = ended;
        }
    }
}
