namespace AkashML.Web.Gateway;

/// <summary>Which API a route belongs to: it decides the error body's shape and the usage record's surface.</summary>
public enum ApiSurface
{
    OpenAi,
    Anthropic,

    /// <summary>The dashboard playground: OpenAI-shaped requests run in-process by the gateway, recorded as <c>playground</c>.</summary>
    Playground,
}
