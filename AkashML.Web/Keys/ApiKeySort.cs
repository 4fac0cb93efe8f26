namespace AkashML.Web.Keys;

/// <summary>The columns the keys grid sorts by on the server.</summary>
public enum ApiKeySort
{
    Created,
    Name,
    LastUsed,
    Expires,
}
