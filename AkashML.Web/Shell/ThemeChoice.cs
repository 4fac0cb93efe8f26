namespace AkashML.Web.Shell;

/// <summary>The theme a page was first rendered with, cascaded from the request into the circuit.</summary>
public sealed record ThemeChoice(string Theme)
{
    public bool IsDark => Theme == ThemePreference.Dark;
}
