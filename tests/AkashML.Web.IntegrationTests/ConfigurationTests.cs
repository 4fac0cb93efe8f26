using System.Net;
using System.Text.RegularExpressions;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AkashML.Web.IntegrationTests;

/// <summary>Email and sign-in provider settings: validated at start, and SMTP really used when configured.</summary>
public sealed partial class ConfigurationTests
{
    [Fact]
    public async Task Invalid_email_and_provider_settings_stop_the_host_at_start_naming_every_problem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = "0",
            ["Email:Smtp:UserName"] = "someone",
            ["Authentication:GitHub:ClientId"] = "abc",
            ["Authentication:GitHub:TokenEndpoint"] = "not a url",
        };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => AkashWebHost.StartAsync(DatabaseKind.Sqlite, settings));

        var messages = string.Join("\n", Flatten(failure).OfType<OptionsValidationException>().SelectMany(e => e.Failures));
        Assert.Contains("Email:From is required when Email:Smtp:Host is set.", messages, StringComparison.Ordinal);
        Assert.Contains("Email:Smtp:Port must be between 1 and 65535", messages, StringComparison.Ordinal);
        Assert.Contains("Email:Smtp:UserName and Email:Smtp:Password must be set together.", messages, StringComparison.Ordinal);
        Assert.Contains("Authentication:GitHub:ClientSecret is required", messages, StringComparison.Ordinal);
        Assert.Contains("Authentication:GitHub:TokenEndpoint must be an absolute http(s) URL", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_backend_settings_stop_the_host_at_start_naming_every_problem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Backends:Models:akashml/tiny-random:0:Kind"] = "carrier-pigeon",
            ["Backends:Models:akashml/tiny-random:1:Kind"] = "openai",
            ["Backends:Models:akashml/tiny-random:1:BaseUrl"] = "not a url",
            ["Backends:Models:akashml/tiny-random:2:Kind"] = "local",
            ["Backends:Models:akashml/tiny-random:2:MaxInFlight"] = "0",
            ["Backends:HealthCheck:UnhealthyThreshold"] = "0",
        };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => AkashWebHost.StartAsync(DatabaseKind.Sqlite, settings));

        var messages = string.Join("\n", Flatten(failure).OfType<OptionsValidationException>().SelectMany(e => e.Failures));
        Assert.Contains("Backends:Models:akashml/tiny-random:0:Kind 'carrier-pigeon' is not a backend kind; known kinds: local, node, openai.", messages, StringComparison.Ordinal);
        Assert.Contains("Backends:Models:akashml/tiny-random:1: BaseUrl must be an absolute http or https URL", messages, StringComparison.Ordinal);
        Assert.Contains("Backends:Models:akashml/tiny-random:2:MaxInFlight must be at least 1.", messages, StringComparison.Ordinal);
        Assert.Contains("Backends:HealthCheck:UnhealthyThreshold and HealthyThreshold must be at least 1.", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_SMTP_configured_the_confirmation_email_is_sent_over_SMTP_and_there_is_no_dev_outbox()
    {
        await using var smtp = new FakeSmtpServer();
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Email:From"] = "noreply@akashml.test",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:EnableSsl"] = "false",
        });
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("smtp");

        var registered = await AccountFlows.RegisterAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Equal("/Account/RegisterConfirmation", registered.Path);
        Assert.DoesNotContain("dev outbox", registered.Text, StringComparison.Ordinal);

        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("<noreply@akashml.test>", mail.From);
        Assert.Equal([$"<{email}>"], mail.To);
        Assert.Contains("Subject: Confirm your AkashML account", mail.Data, StringComparison.Ordinal);
        Assert.Empty(host.Outbox.Snapshot());

        // The link in the text part confirms the account.
        var link = ConfirmLink().Match(DecodeBodies(mail.Data));
        Assert.True(link.Success, mail.Data);
        var confirmed = await browser.NavigateAsync(new Uri(link.Value));
        Assert.Contains("Email confirmed", confirmed.Text, StringComparison.Ordinal);

        var outbox = await browser.GetAsync("dev/outbox");
        Assert.Equal(HttpStatusCode.NotFound, outbox.Status);
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
            {
                yield return inner;
            }
        }
        else if (exception.InnerException is { } inner)
        {
            foreach (var nested in Flatten(inner))
            {
                yield return nested;
            }
        }
    }

    /// <summary>The message with every base64 MIME part decoded in place (SmtpClient encodes UTF-8 bodies so).</summary>
    private static string DecodeBodies(string data) =>
        Base64Part().Replace(data, m => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(WhitespaceRun().Replace(m.Groups["body"].Value, ""))));

    [GeneratedRegex(@"https://localhost/Account/ConfirmEmail\?[^\s""<]+")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex(@"Content-Transfer-Encoding: base64\r?\n\r?\n(?<body>[A-Za-z0-9+/=\r\n]+)")]
    private static partial Regex Base64Part();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
