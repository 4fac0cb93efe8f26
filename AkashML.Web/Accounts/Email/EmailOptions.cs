namespace AkashML.Web.Accounts.Email;

/// <summary>Account email (confirmation and password-reset links), bound from the <c>Email</c> section.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Sender address. Required when SMTP is configured.</summary>
    public string? From { get; set; }

    /// <summary>Sender display name.</summary>
    public string FromName { get; set; } = "AkashML";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How many messages the dev outbox keeps (oldest dropped first) when no SMTP server is configured.</summary>
    public int DevOutboxCapacity { get; set; } = 100;

    /// <summary>
    /// Serve <c>/dev/outbox</c> to any client, not only to loopback ones. Off by default: the outbox holds live
    /// confirmation and password-reset links.
    /// </summary>
    public bool DevOutboxAllowRemote { get; set; }

    /// <summary>
    /// Serve <c>/dev/outbox</c> in the Production environment too (a private trial instance without mail). Off by
    /// default: in Production, account emails without SMTP go only to the server log.
    /// </summary>
    public bool DevOutboxInProduction { get; set; }

    /// <summary>True when mail goes out over SMTP; false when it goes to the log and the dev outbox.</summary>
    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);
}

/// <summary>The SMTP relay, bound from <c>Email:Smtp</c>. Leave <see cref="Host"/> empty to use the dev outbox.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>STARTTLS (or implicit TLS, as the server offers).</summary>
    public bool EnableSsl { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Give up on a send after this long.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
