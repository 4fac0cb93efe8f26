using System.Collections.Concurrent;
using System.Diagnostics;
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

/// <summary>PostgreSQL restarted under load: clean 503s while it is away, service back without restarting the host, every charge exactly once.</summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    private const int Workers = 4;
    private const int MaxRequests = 3000;
    private static readonly TimeSpan LoadBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    [ThrowawayPostgresFact]
    public async Task Requests_fail_with_503_and_Retry_After_while_the_database_restarts_and_succeed_again_after()
    {
        await using var cluster = await ThrowawayPostgres.StartAsync();
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Postgres, new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = cluster.ConnectionString });
        var (userId, key) = await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("restart"), AccountFlows.GoodPassword, admin: false);
            await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "restart test", null, CancellationToken.None);
            return (user.Id, (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "k", ApiKeyLimits.None, CancellationToken.None)).Secret);
        });
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var answers = new ConcurrentBag<(HttpStatusCode Status, string? InferenceId, string? RetryAfter, string Body)>();
        var sent = 0;
        var restarted = false;
        var afterRestart = 0;
        var clock = Stopwatch.StartNew();
        async Task WorkAsync()
        {
            // Bounded in count and time; keeps going a little after the restart so recovery is exercised under load.
            while (clock.Elapsed < LoadBound && Interlocked.Increment(ref sent) <= MaxRequests && (!Volatile.Read(ref restarted) || Interlocked.Increment(ref afterRestart) <= 200))
            {
                using var response = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), Completion());
                answers.Add((response.StatusCode, Header(response, "Inference-Id"), Header(response, "Retry-After"), await response.Content.ReadAsStringAsync()));
            }
        }

        var load = Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkAsync)).ToArray();
        await WaitUntilAsync(() => answers.Count(a => a.Status == HttpStatusCode.OK) >= 20, "20 answers before the restart");
        await cluster.RestartAsync();
        Volatile.Write(ref restarted, true);
        await Task.WhenAll(load);
        output.WriteLine($"{answers.Count} answers: {answers.Count(a => a.Status == HttpStatusCode.OK)} OK, {answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable)} 503, in {clock.Elapsed.TotalSeconds:0.0} s");

        // No 5xx but the 503 that says when to come back; anything else is a bug.
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)a.Status}: {a.Body}"));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a =>
        {
            Assert.NotNull(a.RetryAfter);
            Assert.Contains("\"error\"", a.Body, StringComparison.Ordinal);
        });

        // Back without restarting the host.
        HttpStatusCode last = default;
        await WaitUntilAsync(async () =>
        {
            using var response = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), Completion());
            last = response.StatusCode;
            return last == HttpStatusCode.OK;
        }, "a request to succeed after the restart");

        // Every answered request charged exactly once, nothing charged for a refused one, the ledger summing to the pools.
        await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<AkashDbContext>();
            var reservations = await db.CreditReservations.AsNoTracking().Where(r => r.UserId == userId).ToListAsync();
            foreach (var ok in answers.Where(a => a.Status == HttpStatusCode.OK))
            {
                var reservation = Assert.Single(reservations, r => r.InferenceId == ok.InferenceId);
                Assert.Equal(ReservationStatus.Settled, reservation.Status);
                Assert.True(reservation.ChargedMicros > 0);
            }

            foreach (var refused in answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable))
            {
                Assert.DoesNotContain(reservations, r => r.InferenceId == refused.InferenceId && r.ChargedMicros > 0);
            }

            var pools = await db.CreditPools.AsNoTracking().Where(p => p.UserId == userId).ToListAsync();
            var entries = await db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId).ToListAsync();
            Assert.All(pools, pool => Assert.Equal(pool.RemainingMicros, entries.Where(e => e.PoolId == pool.Id).Sum(e => e.AmountMicros)));
            return true;
        });
    }

    private static StringContent Completion() =>
        new("{\"model\":\"akashml/tiny-random\",\"prompt\":\"Hello\",\"max_tokens\":2,\"temperature\":0}", Encoding.UTF8, "application/json");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > RecoveryBound)
            {
                throw new TimeoutException($"Waited {RecoveryBound.TotalSeconds} s for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
