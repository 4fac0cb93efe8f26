namespace AkashML.Web.Billing;

/// <summary>Whom users ask for help (section <c>Support</c>), e.g. for credits on an installation without payments.</summary>
public sealed class SupportOptions
{
    public const string SectionName = "Support";

    /// <summary>An email address shown to users who need credits and cannot pay here; empty: "the administrator".</summary>
    public string Email { get; set; } = "";
}
