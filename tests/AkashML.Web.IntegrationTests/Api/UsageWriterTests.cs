using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.Api.Usage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Api;

public sealed class UsageWriterTests
{
    [Fact]
    public async Task Stopping_writes_every_queued_record_and_a_record_handed_over_later_is_written_at_once()
    {
        var path = Path.Combine(Path.GetTempPath(), $"akashml-usage-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddAkashMLData(null, path);

        // As the host configures Identity: its schema version shapes the model, which EF shares across hosts in a process.
        services.Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentityStoreSettings.SchemaVersion);
        await using var provider = services.BuildServiceProvider();
        try
        {
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<AkashDbContext>().Database.EnsureCreatedAsync();
            }

            using var gate = new SqliteWriteGate();
            var log = new ErrorLog();
            var writer = new UsageWriter(provider.GetRequiredService<IServiceScopeFactory>(), gate, log);
            await writer.StartAsync(CancellationToken.None);
            const int Count = 1_200;
            await Task.WhenAll(Enumerable.Range(0, Count).Select(i => writer.EnqueueAsync(Record($"inf-queued-{i}")).AsTask()));
            await writer.StopAsync(CancellationToken.None);
            Assert.Empty(log.Errors);
            Assert.Equal(Count, await CountAsync(provider, "inf-queued-"));

            await writer.EnqueueAsync(Record("inf-late"));
            Assert.Equal(1, await CountAsync(provider, "inf-late"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Keeps what the writer logs as errors, so a failed batch shows its cause.</summary>
    private sealed class ErrorLog : ILogger<UsageWriter>
    {
        public List<string> Errors { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Errors)
            {
                Errors.Add(formatter(state, exception) + ": " + exception);
            }
        }
    }

    private static UsageRecord Record(string inferenceId) => new()
    {
        InferenceId = inferenceId,
        Model = "akashml/tiny-random",
        Surface = "openai",
        PromptTokens = 3,
        CompletionTokens = 1,
        Status = "ok",
        HttpStatus = 200,
    };

    private static async Task<int> CountAsync(IServiceProvider provider, string prefix)
    {
        await using var scope = provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().UsageRecords.CountAsync(u => u.InferenceId.StartsWith(prefix));
    }
}
