namespace AkashML.Web.Api;

/// <summary>Which public API a route belongs to: it decides the error body's shape.</summary>
public enum ApiSurface
{
    OpenAi,
    Anthropic,
}
