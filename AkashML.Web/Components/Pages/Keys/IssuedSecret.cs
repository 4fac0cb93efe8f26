namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// A secret just made by a create or roll, on its way to the show-once dialog; <paramref name="Outcome"/> is said after
/// it closes (e.g. how long the old secret keeps working).
/// </summary>
public sealed record IssuedSecret(string Title, string KeyName, string Secret, string? Outcome = null);
