using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// The short soak: mixed streaming and non-streaming traffic at the host's batch width, a share of clients walking
/// away mid-stream, for <c>AKASHML_SOAK_SECONDS</c> (120 by default). Memory, threads and open files must not grow
/// between the end of the first quarter and the end; afterwards no hold is left open and the ledger sums. The host
/// shares this process, so the test runs alone (<see cref="AloneCollection"/>).
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Clients = 8;
    private const long Grant = 1_000_000_000;

    // Growth allowed between the two samples: room for noise, far below what one leaked object per request would add.
    private const long ManagedBytesTolerance = 48L * 1024 * 1024;
    private const int ThreadTolerance = 16;
    private const int FileTolerance = 64;

    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("AKASHML_SOAK_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 120);

    [Fact]
    public async Task Mixed_traffic_with_walkaways_leaves_no_growth_no_open_hold_and_a_summing_ledger()
    {
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, realHttp: true);
        var (userId, key) = await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("soak"), AccountFlows.GoodPassword, admin: false);
            await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, Grant, null, "soak", null, CancellationToken.None);
            return (user.Id, (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "soak", ApiKeyLimits.None, CancellationToken.None)).Secret);
        });
        using var client = new HttpClient { BaseAddress = host.RealAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var duration = Duration;
        var clock = Stopwatch.StartNew();
        var counts = new int[4];
        var failures = new List<string>();
        Sample? early = null;
        var sampler = Task.Run(async () =>
        {
            await Task.Delay(duration / 4);
            early = Sample.Take();
        });
        var workers = Enumerable.Range(0, Clients).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            while (clock.Elapsed < duration)
            {
                var kind = random.Next(4);
                var problem = await OneRequestAsync(client, kind, random);
                Interlocked.Increment(ref counts[kind]);
                if (problem is not null)
                {
                    lock (failures)
                    {
                        failures.Add(problem);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await sampler;
        var late = Sample.Take();

        output.WriteLine($"{duration.TotalSeconds:0} s: {counts[0]} completions, {counts[1]} streamed chats read whole, {counts[2]} streams abandoned, {counts[3]} Anthropic messages");
        output.WriteLine($"managed {early!.ManagedBytes / 1048576.0:0.0} -> {late.ManagedBytes / 1048576.0:0.0} MiB, threads {early.Threads} -> {late.Threads}, files {early.Files} -> {late.Files}");
        Assert.Empty(failures);
        Assert.True(counts.All(c => c > 0), "every kind of request ran");
        Assert.InRange(late.ManagedBytes - early.ManagedBytes, long.MinValue, ManagedBytesTolerance);
        Assert.InRange(late.Threads - early.Threads, int.MinValue, ThreadTolerance);
        Assert.InRange(late.Files - early.Files, int.MinValue, FileTolerance);

        // Every walk-away settled its hold; the usage records account for every micro-dollar that left the pools.
        await host.FlushUsageAsync();
        await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<AkashDbContext>();
            Assert.Equal(0, await db.CreditReservations.CountAsync(r => r.UserId == userId && r.Status == ReservationStatus.Open));
            var pools = await db.CreditPools.AsNoTracking().Where(p => p.UserId == userId).ToListAsync();
            var entries = await db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId).ToListAsync();
            Assert.All(pools, pool => Assert.Equal(pool.RemainingMicros, entries.Where(e => e.PoolId == pool.Id).Sum(e => e.AmountMicros)));
            var charged = await db.UsageRecords.Where(u => u.UserId == userId).SumAsync(u => u.CostMicros);
            Assert.Equal(Grant - charged, pools.Sum(p => p.RemainingMicros));
            return true;
        });
    }

    /// <summary>One request of <paramref name="kind"/>; a description of what went wrong, or null.</summary>
    private static async Task<string?> OneRequestAsync(HttpClient client, int kind, Random random)
    {
        switch (kind)
        {
            case 0:
            {
                using var response = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), Json(
                    "{\"model\":\"akashml/tiny-random\",\"prompt\":\"Once upon a time\",\"max_tokens\":16}"));
                return response.StatusCode == HttpStatusCode.OK ? null : $"completion {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }

            case 1:
            case 2:
            {
                // Kind 2 walks away after a few events, the way a closed browser tab or a killed CLI does.
                using var walkAway = new CancellationTokenSource();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                {
                    Content = Json("{\"model\":\"akashml/tiny-random\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":64,\"stream\":true}"),
                };
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, walkAway.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return $"stream {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                }

                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                var leaveAfter = kind == 2 ? random.Next(1, 6) : int.MaxValue;
                var events = 0;
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal) && ++events >= leaveAfter)
                    {
                        await walkAway.CancelAsync();
                        return null;
                    }

                    if (line == "data: [DONE]")
                    {
                        return null;
                    }
                }

                return kind == 1 ? "stream ended without [DONE]" : null;
            }

            default:
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/anthropic/v1/messages")
                {
                    Content = Json("{\"model\":\"akashml/tiny-random\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                };
                request.Headers.Add("anthropic-version", "2023-06-01");
                using var response = await client.SendAsync(request);
                return response.StatusCode == HttpStatusCode.OK ? null : $"messages {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed record Sample(long ManagedBytes, int Threads, int Files)
    {
        public static Sample Take()
        {
            using var process = Process.GetCurrentProcess();
            return new Sample(GC.GetTotalMemory(forceFullCollection: true), process.Threads.Count, Directory.GetFileSystemEntries("/proc/self/fd").Length);
        }
    }
}
