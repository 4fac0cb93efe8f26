using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// A class fixture: per database kind, one host on a hand-moved clock serving two copies of the smoke-test model
/// (<see cref="Allowed"/> and <see cref="Other"/>) at one dollar per generated token, so budgets in whole dollars count
/// requests exactly, over real HTTP for the official SDKs.
/// </summary>
public sealed class KeyBudgetHostPool : ClockedHostPool
{
    public const string Allowed = "akashml/tiny-random";
    public const string Other = "test/tiny-copy";

    private DirectoryInfo? _models;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _models?.Delete(recursive: true);
    }

    protected override async Task<ClockedHost> StartAsync(DatabaseKind kind)
    {
        var models = await ModelsAsync();
        var clock = ClockedHostPool.NewClock();
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
