using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using AkashML.Web.Playground;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Playground;

/// <summary>
/// The playground's chat endpoint: signed in by cookie, protected by the antiforgery token, and metered, billed and
/// recorded exactly like the public API (surface <c>playground</c>).
/// </summary>
public sealed partial class PlaygroundEndpointTests(PlayHost fixture) : IClassFixture<PlayHost>
{
    private const string Endpoint = "dashboard/api/chat/completions";

    [Fact]
    public async Task A_signed_in_user_gets_a_streamed_reply_that_is_charged_and_recorded_as_playground()
    {
        var (browser, userId) = await fixture.SignedInAsync();
        var token = await PageTokenAsync(browser);
        var before = await fixture.BalanceMicrosAsync(userId);

        using var response = await PostAsync(browser, token, Body(stream: true, maxTokens: 6));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        var text = string.Concat(chunks.Select(c => c["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(text));
        var usage = chunks.Last()["usage"]!;
        Assert.Equal(6, usage["completion_tokens"]!.GetValue<int>());

        var record = await fixture.UsageAsync(response.Headers.GetValues("Inference-Id").Single());
        Assert.NotNull(record);
        Assert.Equal("playground", record.Surface);
        Assert.Equal("ok", record.Status);
        Assert.Equal(userId, record.UserId);
        Assert.Equal(PlaygroundKeys.KeyIdFor(userId), record.ApiKeyId);
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>(), record.PromptTokens);
        Assert.True(record.Streamed);
        Assert.True(record.CostMicros > 0);
        Assert.Equal(before - record.CostMicros, await fixture.BalanceMicrosAsync(userId));
    }

    [Fact]
    public async Task Without_the_antiforgery_token_nothing_runs_and_nothing_is_charged()
    {
        var (browser, userId) = await fixture.SignedInAsync();
        var before = await fixture.BalanceMicrosAsync(userId);

        using var missing = await PostAsync(browser, token: null, Body(stream: false, maxTokens: 3));
        using var wrong = await PostAsync(browser, token: "not-a-token", Body(stream: false, maxTokens: 3));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(0, await fixture.UsageCountAsync(userId));
        Assert.Equal(before, await fixture.BalanceMicrosAsync(userId));
    }

    [Fact]
    public async Task Without_the_sign_in_cookie_the_request_is_refused()
    {
        // A visitor who is not signed in, holding a valid token pair of their own (from the sign-in page).
        using var anonymous = fixture.Host.NewBrowser();
        var token = TokenIn((await anonymous.GetAsync("Account/Login")).Html);

        using var response = await PostAsync(anonymous, token, Body(stream: true, maxTokens: 3));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Contains("sign in", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_credits_the_playground_answers_402_like_the_api()
    {
        var (browser, userId) = await fixture.SignedInAsync(creditMicros: 0);
        var token = await PageTokenAsync(browser);

        using var response = await PostAsync(browser, token, Body(stream: true, maxTokens: 3));

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Equal("insufficient_quota", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        var record = await fixture.UsageAsync(response.Headers.GetValues("Inference-Id").Single());
        Assert.Equal("playground", record!.Surface);
        Assert.Equal(402, record.HttpStatus);
    }

    [Fact]
    public async Task The_hidden_playground_key_is_one_row_per_user_and_not_listed_with_the_keys()
    {
        var (browser, userId) = await fixture.SignedInAsync();
        var token = await PageTokenAsync(browser);
        var requests = Enumerable.Range(0, 3).Select(async _ =>
        {
            using var response = await PostAsync(browser, token, Body(stream: false, maxTokens: 2));
            return response.StatusCode;
        });

        Assert.All(await Task.WhenAll(requests), status => Assert.Equal(HttpStatusCode.OK, status));
        var listed = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().ListAsync(userId, CancellationToken.None));
        Assert.Empty(listed);
        // And no secret authenticates as it over the public API.
        var key = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().AuthenticateAsync("playground", CancellationToken.None));
        Assert.Null(key);
    }

    [Fact]
    public async Task The_page_carries_the_catalog_the_token_and_the_requested_model()
    {
        var (browser, _) = await fixture.SignedInAsync(creditMicros: 0);

        var page = await browser.GetAsync("playground?model=" + Uri.EscapeDataString(PlayHost.Model));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var data = JsonNode.Parse(WebUtility.HtmlDecode(DataJson().Match(page.Html).Groups["json"].Value))!;
        Assert.Equal(PlayHost.Model, data["initial"]!["model"]!.GetValue<string>());
        var model = data["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == PlayHost.Model)!;
        Assert.True(model["smokeTest"]!.GetValue<bool>());
        var names = model["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["temperature", "top_p", "top_k", "max_tokens", "frequency_penalty", "presence_penalty", "seed", "stop"], names);
        Assert.NotEmpty(TokenIn(page.Html));
        Assert.Contains("js/playground.js", page.Html, StringComparison.Ordinal);

        var missing = await browser.GetAsync("playground?model=nope/none");
        Assert.Contains("not available", WebUtility.HtmlDecode(DataJson().Match(missing.Html).Groups["json"].Value), StringComparison.Ordinal);
    }

    private static JsonObject Body(bool stream, int maxTokens)
    {
        var body = new JsonObject
        {
            ["model"] = PlayHost.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello" }),
            ["max_tokens"] = maxTokens,
        };
        if (stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    private static async Task<HttpResponseMessage> PostAsync(BrowserSession browser, string? token, JsonObject body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(AkashWebHost.BaseAddress, Endpoint)) { Content = content };
        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        return await browser.App.SendAsync(request);
    }

    /// <summary>The token the playground page hands its script (in the save-as-preset form).</summary>
    private static async Task<string> PageTokenAsync(BrowserSession browser) => TokenIn((await browser.GetAsync("playground")).Html);

    private static string TokenIn(string html) => WebUtility.HtmlDecode(TokenInput().Match(html).Groups["value"].Value);

    [GeneratedRegex(@"name=""__RequestVerificationToken""[^>]*value=""(?<value>[^""]+)""")]
    private static partial Regex TokenInput();

    [GeneratedRegex(@"<script type=""application/json"" id=""pg-data"">(?<json>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataJson();
}
