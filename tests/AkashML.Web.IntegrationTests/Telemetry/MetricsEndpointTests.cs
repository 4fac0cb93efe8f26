using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using OpenTelemetry.Trace;

namespace AkashML.Web.IntegrationTests.Telemetry;

/// <summary>
/// <c>GET /metrics</c> on a real host: Prometheus text with the gateway's per-model counters and ASP.NET Core's HTTP
/// metrics for administrators by default, a 404 for everyone else; <c>Anyone</c> opens it, <c>Off</c> closes it.
/// Meters are found by name across the process, so with other in-process hosts alive a scrape would also show their
/// models: these tests run alone (<see cref="Faults.AloneCollection"/>).
/// </summary>
[Collection(Faults.AloneCollection.Name)]
public sealed class MetricsEndpointTests(HostPool hosts) : IClassFixture<HostPool>
{
    private const string Model = "akashml/tiny-random";

    [Theory, SqliteData, PostgresData]
    public async Task After_a_completion_an_administrator_reads_per_model_counters_and_http_metrics(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var completion = await CompleteAsync(host);
        Assert.True(completion.Usage.OutputTokenCount > 0);

        using var admin = await SignInAsync(host, admin: true);
        var text = await ScrapeUntilAsync(admin, "/v1/chat/completions");

        var model = $"model=\"{Model}\"";
        Assert.True(Sample(text, "akashml_requests_total", model, "surface=\"openai\"", "status=\"ok\"") >= 1, text);
        Assert.True(Sample(text, "akashml_prompt_tokens_total", model) > 0, text);
        Assert.Equal(completion.Usage.OutputTokenCount, Sample(text, "akashml_completion_tokens_total", model));
        Assert.True(Sample(text, "akashml_time_to_first_token_seconds_count", model) >= 1, text);
        Assert.True(Sample(text, "akashml_inter_token_latency_seconds_count", model) >= 1, text);
        Assert.Equal(1, Sample(text, "akashml_model_loaded", model));
        Assert.Equal(8, Sample(text, "akashml_batch_kv_slots", model));
        foreach (var gauge in new[] { "akashml_batch_kv_slots_in_use", "akashml_batch_queue_depth", "akashml_batch_size", "akashml_in_flight", "akashml_prefix_cache_bytes", "akashml_prefix_cache_blocks" })
        {
            Assert.True(Sample(text, gauge, model) is not null, gauge + " is missing");
        }

        Assert.True(Sample(text, "http_server_request_duration_seconds_count", "http_route=\"/v1/chat/completions\"") >= 1, text);
    }

    [Theory, SqliteData]
    public async Task Anonymous_callers_and_signed_in_users_who_are_not_administrators_get_404(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var anonymous = host.CreateClient();
        using var anonymousResponse = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, anonymousResponse.StatusCode);

        using var user = await SignInAsync(host, admin: false);
        using var userResponse = await user.SendOnceAsync(HttpMethod.Get, new Uri(AkashWebHost.BaseAddress, "metrics"));
        Assert.Equal(HttpStatusCode.NotFound, userResponse.StatusCode);
        Assert.DoesNotContain("akashml_", await userResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory, SqliteData]
    public async Task With_Anyone_an_anonymous_scraper_reads_the_metrics(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?> { ["Telemetry:Metrics"] = "Anyone" });
        await CompleteAsync(host);
        using var scraper = host.CreateClient();
        using var response = await scraper.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.True(Sample(await response.Content.ReadAsStringAsync(), "akashml_completion_tokens_total", $"model=\"{Model}\"") > 0);
    }

    [Theory, SqliteData]
    public async Task With_Off_nobody_reads_the_metrics_not_even_an_administrator(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?> { ["Telemetry:Metrics"] = "Off" });
        using var anonymous = host.CreateClient();
        using var anonymousResponse = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, anonymousResponse.StatusCode);

        using var admin = await SignInAsync(host, admin: true);
        using var adminResponse = await admin.SendOnceAsync(HttpMethod.Get, new Uri(AkashWebHost.BaseAddress, "metrics"));
        Assert.Equal(HttpStatusCode.NotFound, adminResponse.StatusCode);
    }

    [Theory, SqliteData]
    public async Task Traces_are_exported_only_when_an_OTLP_endpoint_is_configured(DatabaseKind kind)
    {
        var plain = await hosts.GetAsync(kind);
        Assert.Null(plain.Services.GetService<TracerProvider>());

        // Nothing listens there: export failures are the exporter's business, serving goes on.
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9" });
        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.True((await CompleteAsync(host)).Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task Invalid_telemetry_settings_stop_the_host_at_start_naming_them()
    {
        var badEndpoint = await Assert.ThrowsAnyAsync<Exception>(() => AkashWebHost.StartAsync(DatabaseKind.Sqlite,
            new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = "collector:4317" }));
        Assert.Contains("Telemetry:OtlpEndpoint must be an absolute http(s) address", Messages(badEndpoint), StringComparison.Ordinal);

        var badAccess = await Assert.ThrowsAnyAsync<Exception>(() => AkashWebHost.StartAsync(DatabaseKind.Sqlite,
            new Dictionary<string, string?> { ["Telemetry:Metrics"] = "Everyone" }));
        Assert.Contains("Telemetry:Metrics", Messages(badAccess), StringComparison.Ordinal);
    }

    private static string Messages(Exception failure)
    {
        var messages = new List<string>();
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(inner => Messages(inner)));
            }
        }

        return string.Join("\n", messages);
    }

    /// <summary>The value of the first sample of <paramref name="metric"/> carrying every one of <paramref name="labels"/>, or null.</summary>
    private static double? Sample(string text, string metric, params string[] labels)
    {
        var line = text.Split('\n').FirstOrDefault(line => line.StartsWith(metric + "{", StringComparison.Ordinal)
            && labels.All(label => line.Contains(label, StringComparison.Ordinal)));
        return line is null ? null : double.Parse(line.Split('}')[^1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One chat completion with the official OpenAI SDK, under a fresh account's key.</summary>
    private static async Task<ChatCompletion> CompleteAsync(AkashWebHost host)
    {
        var secret = await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("metrics"), AccountFlows.GoodPassword, admin: false);
            await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 10_000_000, null, "metrics test", null, CancellationToken.None);
            return (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "metrics", ApiKeyLimits.None, CancellationToken.None)).Secret;
        });
        var client = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(AkashWebHost.BaseAddress, "v1"),
            Transport = new HttpClientPipelineTransport(host.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(0),
        });
        return (await client.GetChatClient(Model).CompleteChatAsync([new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5 })).Value;
    }

    private static async Task<BrowserSession> SignInAsync(AkashWebHost host, bool admin)
    {
        var email = AccountFlows.NewEmail(admin ? "metrics-admin" : "metrics-user");
        await host.WithServicesAsync(sp => sp.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(email, AccountFlows.GoodPassword, admin));
        var browser = host.NewBrowser();
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        return browser;
    }

    /// <summary>
    /// Scrapes until <paramref name="expected"/> shows up: ASP.NET Core records a request's duration once its response
    /// has completed, which may be just after the client read it. Bounded by attempts, not time.
    /// </summary>
    private static async Task<string> ScrapeUntilAsync(BrowserSession admin, string expected)
    {
        var text = "";
        for (var attempt = 0; attempt < 20 && !text.Contains(expected, StringComparison.Ordinal); attempt++)
        {
            using var response = await admin.SendOnceAsync(HttpMethod.Get, new Uri(AkashWebHost.BaseAddress, "metrics"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
        }

        return text;
    }
}
