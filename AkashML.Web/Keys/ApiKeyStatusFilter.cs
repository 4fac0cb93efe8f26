namespace AkashML.Web.Keys;

/// <summary>Which keys the grid lists: all, those that work now, or those that no longer do (revoked or expired).</summary>
public enum ApiKeyStatusFilter
{
    All,
    Active,
    Inactive,
}
