using Microsoft.AspNetCore.Identity;

namespace AkashML.Data.Identity;

/// <summary>A person who signs in to AkashML.</summary>
public sealed class ApplicationUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
