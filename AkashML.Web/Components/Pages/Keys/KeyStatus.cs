using AkashML.Data.Keys;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>A key's state as the keys grid shows it.</summary>
public enum KeyStatus
{
    Active,
    ExpiringSoon,
    Expired,
    Revoked,
}

public static class KeyStatuses
{
    /// <summary>Keys expiring within this long are flagged.</summary>
    public static readonly TimeSpan SoonWindow = TimeSpan.FromDays(7);

    public static KeyStatus Of(ApiKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.RevokedAt is not null ? KeyStatus.Revoked
            : key.ExpiresAt is { } expires && expires <= now ? KeyStatus.Expired
            : key.ExpiresAt is { } soon && soon - now <= SoonWindow ? KeyStatus.ExpiringSoon
            : KeyStatus.Active;
    }

    public static string Label(KeyStatus status) => status switch
    {
        KeyStatus.Active => "Active",
        KeyStatus.ExpiringSoon => "Expiring soon",
        KeyStatus.Expired => "Expired",
        KeyStatus.Revoked => "Revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static Color Tone(KeyStatus status) => status switch
    {
        KeyStatus.Active => Color.Success,
        KeyStatus.ExpiringSoon => Color.Warning,
        KeyStatus.Expired or KeyStatus.Revoked => Color.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
