using System.Text.Json;
using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AkashML.Web.Nodes;

/// <summary>
/// The server side of the node protocol, for gateways (<see cref="NodeTextModel"/>): <c>POST /internal/v1/generate</c>
/// streams one NDJSON line per <see cref="GenerationUpdate"/> and a final usage line; <c>GET /internal/v1/health</c>
/// says what is loaded and running. Both need the shared secret. A caller that disconnects cancels its generation.
/// </summary>
public static class NodeEndpoints
{
    public const string GeneratePath = "/internal/v1/generate";

    public const string HealthPath = "/internal/v1/health";

    public const string ContentType = "application/x-ndjson";

    public static IEndpointRouteBuilder MapNodeProtocol(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").ExcludeFromDescription().DisableAntiforgery();
        group.WithMetadata(BoundsItsOwnBody.Instance);
        group.AddEndpointFilter(async (invocation, next) =>
            invocation.HttpContext.RequestServices.GetRequiredService<NodeSecret>().Accepts(invocation.HttpContext.Request)
                ? await next(invocation)
                : Error(StatusCodes.Status401Unauthorized, "authentication_error", "the node shared secret is missing or wrong"));
        group.MapPost(GeneratePath, GenerateAsync);
        group.MapGet(HealthPath, Health);
        return endpoints;
    }

    private static JsonHttpResult<NodeHealth> Health(IModelProvider models, ModelHost host, NodeLoad load) =>
        TypedResults.Json(new NodeHealth("ok", models.List().Select(m => m.Id).ToList(), host.LoadedModels, load.InFlight, load.Cancelled), NodeJsonContext.Wire.NodeHealth);

    private static async Task<IResult> GenerateAsync(HttpContext context, IModelProvider models, NodeLoad load, ILogger<NodeLoad> logger)
    {
        var aborted = context.RequestAborted;
        NodeGenerateBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, NodeJsonContext.Wire.NodeGenerateBody, aborted);
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "the body is not a valid generate request: " + ex.Message);
        }

        if (body is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "the body is empty");
        }

        if (body.Problem() is { } problem)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", problem.Reason, problem.Parameter);
        }

        if (models.Find(body.Model) is null)
        {
            return Error(StatusCodes.Status404NotFound, "not_found_error", $"model '{body.Model}' is not served by this node");
        }

        ITextModel model;
        try
        {
            model = await models.GetAsync(body.Model, aborted);
        }
        catch (ModelUnavailableException ex)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "overloaded_error", ex.Message);
        }

        if (body.PromptTokens.FirstOrDefault(t => model.Tokenizer.IdToToken(t) is null, -1) is var unknown and >= 0)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", $"prompt_tokens holds {unknown}, which is not in the model's vocabulary", "prompt_tokens");
        }

        if (body.LogitBias?.Keys.FirstOrDefault(t => model.Tokenizer.IdToToken(t) is null, -1) is var unknownBias and >= 0)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", $"logit_bias names {unknownBias}, which is not in the model's vocabulary", "logit_bias");
        }

        var room = model.Descriptor.ContextLength - body.PromptTokens.Count;
        if (room < 1)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error",
                $"the prompt has {body.PromptTokens.Count} tokens; the model's context holds {model.Descriptor.ContextLength}", "prompt_tokens");
        }

        StructuredGrammar? grammar;
        try
        {
            grammar = body.Grammar?.ToSource().Compile();
        }
        catch (SchemaNotSupportedException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", ex.Message, ex.Parameter ?? "grammar");
        }

        var request = body.ToRequest(grammar) with { MaxNewTokens = Math.Min(body.MaxNewTokens, room) };
        if (grammar is not null && grammar.MinLength > request.MaxNewTokens)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error",
                $"the shortest output that satisfies '{grammar.Parameter}' needs up to {grammar.MinLength} tokens, but only {request.MaxNewTokens} may be generated", "max_new_tokens");
        }

        try
        {
            model.EnsureSupported(request);
        }
        catch (UnsupportedGenerationFeatureException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", ex.Message, ex.Parameter);
        }

        return TypedResults.Stream(stream => StreamAsync(stream, model, request, load, logger, aborted), ContentType);
    }

    private static async Task StreamAsync(Stream stream, ITextModel model, GenerationRequest request, NodeLoad load, ILogger logger, CancellationToken aborted)
    {
        var completion = new Dictionary<int, int>();
        var cancelled = false;
        load.Started();
        try
        {
            await foreach (var update in model.GenerateAsync(request, aborted))
            {
                completion[update.ChoiceIndex] = update.CompletionTokens;
                await WriteLineAsync(stream, new NodeStreamLine(Update: NodeUpdate.From(update)), aborted);
            }

            await WriteLineAsync(stream, new NodeStreamLine(Usage: new NodeUsage(request.PromptTokens.Count, completion.Values.Sum())), aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (IOException) when (aborted.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Headers are gone: the error becomes the stream's last line, and the caller sees no usage line.
            logger.LogError(ex, "Node generation for {Model} failed", model.Descriptor.Id);
            try
            {
                await WriteLineAsync(stream, new NodeStreamLine(Error: new NodeError(ex.Message, "api_error")), CancellationToken.None);
            }
            catch (IOException)
            {
                // The caller is gone as well; it will see a cut stream.
            }
        }
        finally
        {
            load.Ended(cancelled || aborted.IsCancellationRequested);
        }
    }

    private static async Task WriteLineAsync(Stream stream, NodeStreamLine line, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, NodeJsonContext.Wire.NodeStreamLine);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static JsonHttpResult<NodeError> Error(int status, string type, string message, string? parameter = null) =>
        TypedResults.Json(new NodeError(message, type, parameter), NodeJsonContext.Wire.NodeError, statusCode: status);
}
