using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using AkashML.Bench.Soak;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
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
        var counts = new int[SoakTraffic.Kinds.Count];
        var failures = new List<string>();
        ProcessSample? early = null;
        var sampler = Task.Run(async () =>
        {
            await Task.Delay(duration / 4);
            early = ProcessSample.Take();
        });
        var workers = Enumerable.Range(0, Clients).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            while (clock.Elapsed < duration)
            {
                var kind = random.Next(SoakTraffic.Kinds.Count);
                var problem = await SoakTraffic.OneRequestAsync(client, kind, random, "akashml/tiny-random");
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
        var late = ProcessSample.Take();

        output.WriteLine($"{duration.TotalSeconds:0} s: {string.Join(", ", counts.Select((count, kind) => $"{count} {SoakTraffic.Kinds[kind]}"))}");
        output.WriteLine($"managed {early!.ManagedBytes / 1048576.0:0.0} -> {late.ManagedBytes / 1048576.0:0.0} MiB, threads {early.Threads} -> {late.Threads}, files {early.Files} -> {late.Files}");
        Assert.Empty(failures);
        Assert.True(counts.All(c => c > 0), "every kind of request ran");
        Assert.InRange(late.ManagedBytes - early.ManagedBytes, long.MinValue, ManagedBytesTolerance);
        Assert.InRange(late.Threads - early.Threads, int.MinValue, ThreadTolerance);
        Assert.InRange(late.Files - early.Files, int.MinValue, FileTolerance);

        // Every walk-away settled its hold; the usage records account for every micro-dollar that left the pools.
        await host.FlushUsageAsync();
        var ledger = await SoakLedger.ReadAsync(host.Services, userId);
        Assert.Equal(0, ledger.OpenReservations);
        Assert.Equal(0, ledger.PoolsNotSumming);
        Assert.Equal(Grant - ledger.UsageChargedMicros, ledger.RemainingMicros);
    }
}
