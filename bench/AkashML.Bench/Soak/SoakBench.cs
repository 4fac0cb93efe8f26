using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Inference.Serving;
using AkashML.Web.Accounts;
using AkashML.Web.Cli;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using AkashML.Web.Usage;
using Microsoft.Extensions.Options;

namespace AkashML.Bench.Soak;

/// <summary>
/// <c>bench soak [--minutes 30] [--clients N] [--model ID]</c>: serves this host on a loopback port and runs
/// <see cref="SoakTraffic"/> from N clients (default: the model's batch width, <c>Inference:MaxBatchSize</c>) for that
/// long. Each minute it prints the requests answered and failed, p50/p99 latency, managed heap, resident memory, threads
/// and open files; at the end the holds left open, the ledger check, and the growth from minute 5 (a quarter of a
/// shorter run) to the end. Exits 1 when a request failed, a hold stayed open or the ledger does not sum.
/// </summary>
internal static class SoakBench
{
    private const long Grant = 1_000_000_000_000;
    private const double MiB = 1024 * 1024;

    public static async Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        var minutes = arguments.PositiveInt("minutes", 30);
        await app.PrepareAsync();
        app.UseAkashMLPipeline();
        app.Urls.Clear();
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            var services = app.Services;
            var clients = arguments.PositiveInt("clients", services.GetRequiredService<IOptions<InferenceOptions>>().Value.MaxBatchSize);
            var model = arguments.Optional("model") ?? services.GetRequiredService<IModelProvider>().List().FirstOrDefault()?.Id
                ?? throw new CommandLineException("no model to soak");
            var (userId, key) = await CreateSoakKeyAsync(services);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(120) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {minutes} min, {clients} clients, model {model}, mix: {string.Join(", ", SoakTraffic.Kinds)}"));
            Console.WriteLine("minute       ok  failed   p50 ms   p99 ms  managed MiB  RSS MiB  threads  files");
            var duration = TimeSpan.FromMinutes(minutes);
            var clock = Stopwatch.StartNew();
            var window = new ConcurrentQueue<(double Ms, bool Ok)>();
            var failures = new ConcurrentQueue<string>();
            var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
            {
                var random = new Random(worker);
                while (clock.Elapsed < duration)
                {
                    var started = Stopwatch.GetTimestamp();
                    var problem = await SoakTraffic.OneRequestAsync(http, random.Next(SoakTraffic.Kinds.Count), random, model);
                    window.Enqueue((Stopwatch.GetElapsedTime(started).TotalMilliseconds, problem is null));
                    if (problem is not null)
                    {
                        failures.Enqueue(problem);
                    }
                }
            })).ToArray();

            var samples = new List<ProcessSample>();
            long totalOk = 0, totalFailed = 0;
            for (var minute = 1; minute <= minutes; minute++)
            {
                var due = TimeSpan.FromMinutes(minute) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                if (minute == minutes)
                {
                    // The last minute's requests finish before its line, so the end counts everything.
                    await Task.WhenAll(workers);
                }

                var answered = Drain(window);
                var latencies = answered.Select(a => a.Ms).Order().ToArray();
                var ok = answered.Count(a => a.Ok);
                totalOk += ok;
                totalFailed += answered.Count - ok;
                var sample = ProcessSample.Take();
                samples.Add(sample);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{minute,6}  {ok,7}  {answered.Count - ok,6}  {Percentile(latencies, 0.5),7:0.0}  {Percentile(latencies, 0.99),7:0.0}  {sample.ManagedBytes / MiB,11:0.0}  {sample.ResidentBytes / MiB,7:0.0}  {sample.Threads,7}  {sample.Files,5}"));
            }

            await services.GetRequiredService<UsageWriter>().FlushAsync(CancellationToken.None);
            var ledger = await SoakLedger.ReadAsync(services, userId);
            var from = Math.Min(5, Math.Max(1, minutes / 4));
            var (early, late) = (samples[from - 1], samples[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests      {totalOk} ok, {totalFailed} failed"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"growth        minute {from} to {minutes}: managed {(late.ManagedBytes - early.ManagedBytes) / MiB:+0.0;-0.0} MiB, RSS {(late.ResidentBytes - early.ResidentBytes) / MiB:+0.0;-0.0} MiB, threads {late.Threads - early.Threads:+0;-0}, files {late.Files - early.Files:+0;-0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stuck holds   {ledger.OpenReservations}"));
            var sums = ledger.PoolsNotSumming == 0 && Grant - ledger.UsageChargedMicros == ledger.RemainingMicros;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ledger        {(sums ? "consistent" : "INCONSISTENT")}: {ledger.Pools} pools, {ledger.PoolsNotSumming} not the sum of their entries; granted {Grant} - usage {ledger.UsageChargedMicros} = {Grant - ledger.UsageChargedMicros}, pools hold {ledger.RemainingMicros} micro-USD"));
            foreach (var failure in failures.Take(5))
            {
                Console.WriteLine("failure       " + failure);
            }

            return totalFailed == 0 && ledger.OpenReservations == 0 && sums ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static List<(double Ms, bool Ok)> Drain(ConcurrentQueue<(double Ms, bool Ok)> queue)
    {
        var items = new List<(double Ms, bool Ok)>();
        while (queue.TryDequeue(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<(string UserId, string Key)> CreateSoakKeyAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>()
            .CreateConfirmedUserAsync($"soak-{Guid.NewGuid():N}@akashml.local", null, admin: false);
        await scope.ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(user.Id, CreditSource.AdminGrant, Grant, null, "bench soak", null, CancellationToken.None);
        return (user.Id, (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "soak", ApiKeyLimits.None, CancellationToken.None)).Secret);
    }
}
