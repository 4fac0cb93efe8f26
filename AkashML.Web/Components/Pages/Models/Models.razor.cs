using System.Globalization;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Models;

public sealed partial class Models
{
    [Inject]
    public required ModelHost Host { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private List<ModelEntry> Entries { get; } = [];

    private Uri BaseUrl => new(Navigation.BaseUri);

    private string CountText => Entries.Count == 1 ? "One model" : Entries.Count.ToString(CultureInfo.InvariantCulture) + " models";

    protected override async Task OnInitializedAsync()
    {
        var loaded = Host.LoadedModels.ToHashSet(StringComparer.Ordinal);
        foreach (var model in Host.List())
        {
            bool? tools = null;
            if (loaded.Contains(model.Id))
            {
                // Already in memory, so this returns at once; an unloaded model is not loaded just to draw a page.
                tools = (await Host.GetAsync(model.Id, CancellationToken.None)).SupportsTools;
            }

            Entries.Add(new ModelEntry(model, loaded.Contains(model.Id), tools));
        }
    }

    private sealed record ModelEntry(ModelDescriptor Model, bool Loaded, bool? SupportsTools);
}
