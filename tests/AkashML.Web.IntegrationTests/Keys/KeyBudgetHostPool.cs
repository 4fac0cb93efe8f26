using System.Collections.Concurrent;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// A class fixture: per database kind, one host on a hand-moved clock serving two copies of the smoke-test model
/// (<see cref="Allowed"/> and <see cref="Other"/>) at one dollar per generated token, so budgets in whole dollars count
/// requests exactly, over real HTTP for the official SDKs.
/// </summary>
public sealed class KeyBudgetHostPool : IAsyncLifetime
{
    public const string Allowed = "akashml/tiny-random";
    public const string Other = "test/tiny-copy";

    private readonly ConcurrentDictionary<DatabaseKind, Lazy<Task<ClockedHost>>> _hosts = new();
    private DirectoryInfo? _models;

    public Task<ClockedHost> GetAsync(DatabaseKind kind) =>
        _hosts.GetOrAdd(kind, k => new Lazy<Task<ClockedHost>>(() => StartAsync(k))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated))
        {
            try
            {
                await (await host.Value).Host.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The host never started; the test that asked for it already failed with the reason.
            }
        }

        _models?.Delete(recursive: true);
    }

    private async Task<ClockedHost> StartAsync(DatabaseKind kind)
    {
        var models = await ModelsAsync();
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond)));
        var settings = new Dictionary<string, string?>
        {
            ["Models:Directory"] = models,
            ["Models:BuildTinyRandomWhenEmpty"] = "false",
        };
        foreach (var model in new[] { Allowed, Other })
        {
            settings[$"Models:Entries:{model}:InputPricePerMillion"] = "0";
            settings[$"Models:Entries:{model}:OutputPricePerMillion"] = "1000000";
        }

        return new ClockedHost(await ClockedHostPool.StartHostAsync(kind, clock, settings, realHttp: true), clock);
    }

    private async Task<string> ModelsAsync()
    {
        if (_models is null)
        {
            var source = Path.Combine(await SharedModels.DirectoryAsync(), "akashml", "tiny-random");
            var models = Directory.CreateTempSubdirectory("akashml-budget-models-");
            foreach (var id in new[] { Allowed, Other })
            {
                var folder = Directory.CreateDirectory(Path.Combine(models.FullName, id));
                foreach (var file in Directory.EnumerateFiles(source))
                {
                    File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
                }
            }

            _models = models;
        }

        return _models.FullName;
    }
}
