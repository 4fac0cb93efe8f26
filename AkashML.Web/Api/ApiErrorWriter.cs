using System.Text.Json.Nodes;

using AkashML.Web.Gateway;

namespace AkashML.Web.Api;

/// <summary>Writes errors in OpenAI's or Anthropic's shape.</summary>
public static class ApiErrorWriter
{
    public static JsonObject Body(ApiSurface surface, ApiException error) => surface switch
    {
        ApiSurface.Anthropic => new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = AnthropicType(error.Kind), ["message"] = error.Message },
        },
        _ => OpenAiBody(error),
    };

    public static async Task WriteAsync(HttpContext context, ApiSurface surface, ApiException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = error.Status;
        if (error.Headers is not null)
        {
            foreach (var (name, value) in error.Headers)
            {
                context.Response.Headers[name] = value;
            }
        }

        await context.Response.WriteAsJsonAsync(Body(surface, error), context.RequestAborted);
    }

    private static JsonObject OpenAiBody(ApiException error)
    {
        var body = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = error.Message,
                ["type"] = OpenAiType(error.Kind),
                ["param"] = error.Param,
                ["code"] = error.Code,
            },
            ["message"] = error.Message,
        };
        if (error.Kind == ApiErrorKind.InvalidRequest && error.Param is not null)
        {
            // FastAPI-style detail, as other providers in this market return for validation failures.
            body["detail"] = new JsonArray(new JsonObject
            {
                ["loc"] = new JsonArray("body", error.Param),
                ["msg"] = error.Message,
                ["type"] = "value_error",
            });
        }

        return body;
    }

    private static string OpenAiType(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.InvalidRequest or ApiErrorKind.NotFound or ApiErrorKind.RequestTooLarge => "invalid_request_error",
        ApiErrorKind.Authentication => "authentication_error",
        ApiErrorKind.PermissionDenied => "permission_error",
        ApiErrorKind.RateLimited => "rate_limit_error",
        ApiErrorKind.InsufficientCredits => "insufficient_quota",
        ApiErrorKind.Timeout => "timeout_error",
        ApiErrorKind.Overloaded => "overloaded_error",
        ApiErrorKind.Internal => "server_error",
        _ => "server_error",
    };

    private static string AnthropicType(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.InvalidRequest => "invalid_request_error",
        ApiErrorKind.Authentication => "authentication_error",
        ApiErrorKind.PermissionDenied => "permission_error",
        ApiErrorKind.NotFound => "not_found_error",
        ApiErrorKind.RequestTooLarge => "request_too_large",
        ApiErrorKind.RateLimited => "rate_limit_error",
        ApiErrorKind.InsufficientCredits => "billing_error",
        ApiErrorKind.Timeout => "timeout_error",
        ApiErrorKind.Overloaded => "overloaded_error",
        ApiErrorKind.Internal => "api_error",
        _ => "api_error",
    };
}
