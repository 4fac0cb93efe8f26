using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Data.Limits;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>Requests and tokens per minute, concurrency, and that every exit path gives back what it took.</summary>
public sealed class RateLimitTests(ClockedHostPool hosts) : IClassFixture<ClockedHostPool>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory, SqliteData, PostgresData]
    public async Task Sixty_requests_per_minute_let_exactly_sixty_through_then_429_with_honest_headers(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(60, null, null, null));
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(15));
        using var api = KeyFlows.Api(host, key.Secret);

        // A bounded burst: 90 requests, 16 in flight at a time, while the clock stands still.
        var responses = new List<(HttpStatusCode Status, Dictionary<string, string> Headers, string Body)>();
        using var throttle = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, 90).Select(async _ =>
        {
            await throttle.WaitAsync();
            try
            {
                using var response = await api.GetAsync("v1/models");
                var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
                var body = await response.Content.ReadAsStringAsync();
                lock (responses)
                {
                    responses.Add((response.StatusCode, headers, body));
                }
            }
            finally
            {
                throttle.Release();
            }
        }));

        var admitted = responses.Where(r => r.Status == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(60, admitted.Count);
        Assert.Equal(30, refused.Count);
        Assert.All(admitted, r => Assert.Equal("60", r.Headers["X-RateLimit-Limit"]));
        Assert.All(admitted, r => Assert.Equal("60", r.Headers["x-ratelimit-limit-requests"]));
        Assert.Equal(Enumerable.Range(0, 60), admitted.Select(r => int.Parse(r.Headers["X-RateLimit-Remaining"], CultureInfo.InvariantCulture)).Order());
        Assert.All(admitted, r => Assert.Equal(r.Headers["X-RateLimit-Remaining"], r.Headers["x-ratelimit-remaining-requests"]));

        // 60 requests 15 s into the minute: the 61st fits once a 60th of them has slid out, 46 s from now; all of them
        // are forgotten 60 s after the minute ends (105 s).
        var (_, headersOf429, body) = refused[0];
        Assert.Equal("46", headersOf429["Retry-After"]);
        Assert.Equal("60", headersOf429["X-RateLimit-Limit"]);
        Assert.Equal("0", headersOf429["X-RateLimit-Remaining"]);
        Assert.Equal("105", headersOf429["X-RateLimit-Reset"]);
        Assert.Equal("60", headersOf429["x-ratelimit-limit-requests"]);
        Assert.Equal("0", headersOf429["x-ratelimit-remaining-requests"]);
        Assert.Equal("1m45s", headersOf429["x-ratelimit-reset-requests"]);
        Assert.True(headersOf429.ContainsKey("Inference-Id"));
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal("rate_limit_error", error["type"]!.GetValue<string>());
        Assert.Equal("rate_limit_exceeded", error["code"]!.GetValue<string>());
        Assert.Contains("limit 60", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(60, (await KeyFlows.WindowAsync(host, key.Id, RateLimitKind.Requests)).Count);

        // Retry-After is exact to the second: a second early is still too early.
        clock.Advance(TimeSpan.FromSeconds(45));
        using (var early = await api.GetAsync("v1/models"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
            Assert.Equal("1", KeyFlows.Header(early, "Retry-After"));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        using (var onTime = await api.GetAsync("v1/models"))
        {
            Assert.Equal(HttpStatusCode.OK, onTime.StatusCode);
            Assert.Equal("0", KeyFlows.Header(onTime, "X-RateLimit-Remaining"));
        }

        // The Anthropic surface shares the key's limit and answers in its own shape; SDKs see the headers.
        using var anthropic = new HttpRequestMessage(HttpMethod.Get, "anthropic/v1/models");
        anthropic.Headers.Add("x-api-key", key.Secret);
        using var anthropicRefused = await api.SendAsync(anthropic);
        Assert.Equal(HttpStatusCode.TooManyRequests, anthropicRefused.StatusCode);
        var anthropicError = JsonNode.Parse(await anthropicRefused.Content.ReadAsStringAsync())!;
        Assert.Equal("error", anthropicError["type"]!.GetValue<string>());
        Assert.Equal("rate_limit_error", anthropicError["error"]!["type"]!.GetValue<string>());
        Assert.NotNull(KeyFlows.Header(anthropicRefused, "Retry-After"));

        using var transport = host.CreateClient();
        var sdk = new OpenAIClient(new ApiKeyCredential(key.Secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(transport.BaseAddress!, "v1"),
            Transport = new HttpClientPipelineTransport(transport),
            RetryPolicy = new ClientRetryPolicy(0),
        });
        var fromSdk = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetOpenAIModelClient().GetModelsAsync());
        Assert.Equal(429, fromSdk.Status);
        Assert.True(fromSdk.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter) && int.Parse(retryAfter!, CultureInfo.InvariantCulture) >= 1);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Tokens_per_minute_reserve_prompt_plus_maximum_for_a_stream_and_refund_what_it_did_not_use(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        const int Limit = 300;
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(null, Limit, null, null));
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(10));
        using var api = KeyFlows.Api(host, key.Secret);

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = KeyFlows.Json(KeyFlows.Completion(40, stream: true)) };
        using var stream = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var remainingWhileStreaming = int.Parse(KeyFlows.Header(stream, "x-ratelimit-remaining-tokens")!, CultureInfo.InvariantCulture);
        Assert.Equal(Limit.ToString(CultureInfo.InvariantCulture), KeyFlows.Header(stream, "x-ratelimit-limit-tokens"));
        Assert.NotNull(KeyFlows.Header(stream, "x-ratelimit-reset-tokens"));
        Assert.Null(KeyFlows.Header(stream, "X-RateLimit-Limit"));
        var usage = UsageOf(await stream.Content.ReadAsStringAsync());
        var (prompt, completion) = (usage["prompt_tokens"]!.GetValue<int>(), usage["completion_tokens"]!.GetValue<int>());

        // Charged up front: prompt + 40. Settled at the end: what was used.
        Assert.Equal(Limit - (prompt + 40), remainingWhileStreaming);
        Assert.Equal(prompt + completion, (await KeyFlows.WindowAsync(host, key.Id, RateLimitKind.Tokens)).Count);

        // A request that reserves one token more than is left waits, and Retry-After says for exactly how long.
        var left = Limit - (prompt + completion);
        var tooMuch = KeyFlows.Completion(left - prompt + 1, stream: true);
        using var refused = await api.PostAsync("v1/completions", KeyFlows.Json(tooMuch));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(left.ToString(CultureInfo.InvariantCulture), KeyFlows.Header(refused, "x-ratelimit-remaining-tokens"));
        var retryAfter = int.Parse(KeyFlows.Header(refused, "Retry-After")!, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 110);
        Assert.Equal(prompt + completion, (await KeyFlows.WindowAsync(host, key.Id, RateLimitKind.Tokens)).Count);

        clock.Advance(TimeSpan.FromSeconds(retryAfter - 1));
        using (var early = await api.PostAsync("v1/completions", KeyFlows.Json(tooMuch)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        using (var onTime = await api.PostAsync("v1/completions", KeyFlows.Json(tooMuch)))
        {
            Assert.Equal(HttpStatusCode.OK, onTime.StatusCode);
            await onTime.Content.ReadAsStringAsync();
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_prompt_larger_than_the_token_limit_is_refused_without_a_retry_time(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(null, 3, null, null));
        using var api = KeyFlows.Api(host, key.Secret);

        using var response = await api.PostAsync("v1/completions", KeyFlows.Json(KeyFlows.Completion(1, prompt: "a prompt of quite a few tokens")));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(KeyFlows.Header(response, "Retry-After"));
        Assert.Contains("more than this API key's limit of 3 tokens per minute", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await KeyFlows.WindowAsync(host, key.Id, RateLimitKind.Tokens)).Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Concurrency_two_lets_two_of_ten_parallel_streams_run_and_refuses_the_rest(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(null, null, 2, null));
        using var api = KeyFlows.Api(host, key.Secret);

        var bodies = Enumerable.Range(0, 10).Select(_ => new GatedContent(KeyFlows.Completion(4, stream: true))).ToList();
        try
        {
            var sends = bodies.Select(body => api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = body }, HttpCompletionOption.ResponseHeadersRead)).ToList();

            // The refused answer at once; the admitted two wait for their request bodies, holding their slots: eight
            // refusals and two slots taken account for all ten, so no late answer is waited for.
            var answered = await Task.WhenAll(await KeyFlows.FirstAnswersAsync(sends, 8, Patience));
            Assert.All(answered, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
            Assert.All(answered, r => Assert.Equal("1", KeyFlows.Header(r, "Retry-After")));
            Assert.Contains("concurrency_limit_exceeded", await answered[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(2, await KeyFlows.InFlightAsync(host, key.Id));
            var running = sends.Where(s => !s.IsCompleted).ToList();
            Assert.Equal(2, running.Count);

            bodies.ForEach(b => b.Open());
            var streams = await Task.WhenAll(running);
            foreach (var stream in streams)
            {
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                Assert.EndsWith("data: [DONE]\n\n", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            Assert.Equal(0, await KeyFlows.WaitForNoneInFlightAsync(host, key.Id, Patience));
            foreach (var response in answered.Concat(streams))
            {
                response.Dispose();
            }
        }
        finally
        {
            bodies.ForEach(b => b.Open());
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task Slots_and_token_reservations_are_given_back_after_cancellations_and_errors(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(1000, 1_000_000, 2, null));
        using var api = KeyFlows.Api(host, key.Secret);

        // A client that gives up while its request is admitted but not yet running.
        var gated = new GatedContent(KeyFlows.Completion(4));
        using (var cancel = new CancellationTokenSource())
        {
            var abandoned = api.PostAsync("v1/completions", gated, cancel.Token);
            await WaitUntilAsync(async () => await KeyFlows.InFlightAsync(host, key.Id) == 1);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        Assert.Equal(0, await KeyFlows.WaitForNoneInFlightAsync(host, key.Id, Patience));

        // A client that walks away in the middle of a long stream.
        using (var cancel = new CancellationTokenSource())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = KeyFlows.Json(KeyFlows.Completion(400, stream: true)) };
            using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
            var buffer = new byte[64];
            Assert.True(await body.ReadAsync(buffer, cancel.Token) > 0);
            await cancel.CancelAsync();
        }

        // Failures after admission: bad JSON, an unknown model, a bad parameter.
        using (var badJson = await api.PostAsync("v1/completions", KeyFlows.Json("{not json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        }

        using (var unknown = await api.PostAsync("v1/completions", KeyFlows.Json("""{"model":"no/such-model","prompt":"hi"}""")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var badParameter = await api.PostAsync("v1/completions", KeyFlows.Json("""{"model":"akashml/tiny-random","prompt":"hi","max_tokens":-3}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badParameter.StatusCode);
        }

        Assert.Equal(0, await KeyFlows.WaitForNoneInFlightAsync(host, key.Id, Patience));

        // Every request was counted once; the tokens window holds exactly what the usage records say was used.
        var records = await WaitForUsageAsync(host, key.Id, 5);
        Assert.Equal(5, (await KeyFlows.WindowAsync(host, key.Id, RateLimitKind.Requests)).Count);
        var used = records.Sum(r => (long)r.PromptTokens + r.CompletionTokens);
        Assert.True(records.Any(r => r.CompletionTokens is > 0 and < 400), "the abandoned stream produced some tokens and was stopped");
        Assert.Equal(used, (await KeyFlows.WindowAsync(host, key.Id, RateLimitKind.Tokens)).Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_slot_left_by_a_crashed_replica_comes_free_when_its_lease_expires(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(null, null, 1, null));
        var lease = KeyFlows.Service<Microsoft.Extensions.Options.IOptions<AkashML.Web.Limits.LimitOptions>>(host).Value.ConcurrencyLeaseDuration;
        var now = clock.GetUtcNow();
        // A replica took the slot and died: nobody renews or releases its lease.
        Assert.NotNull(await KeyFlows.Service<ILimitCounters>(host).TryAcquireAsync(key.Id, 1, now, now + lease, CancellationToken.None));
        using var api = KeyFlows.Api(host, key.Secret);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.GetAsync("v1/models")).StatusCode);

        clock.Advance(lease - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.GetAsync("v1/models")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("v1/models")).StatusCode);
        Assert.Equal(0, await KeyFlows.WaitForNoneInFlightAsync(host, key.Id, Patience));
    }

    private static JsonNode UsageOf(string stream) =>
        stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..])
            .Where(d => d != "[DONE]")
            .Select(d => JsonNode.Parse(d)!)
            .Last(n => n["usage"] is JsonObject)["usage"]!;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }

    private static async Task<List<AkashML.Data.Usage.UsageRecord>> WaitForUsageAsync(AkashWebHost host, Guid keyId, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var records = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().Where(u => u.ApiKeyId == keyId).ToListAsync());
            if (records.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, records.Count);
                return records;
            }

            await Task.Delay(50);
        }
    }
}
