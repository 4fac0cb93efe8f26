using System.Globalization;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Models;

/// <summary>
/// The catalog as cards. While the page is open it re-reads the catalog and which models are in memory, so a model
/// loaded by a request (or added by an operator) shows up without a reload.
/// </summary>
public sealed partial class Models : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyList<ModelEntry> entries = [];

    [Inject]
    public required ModelHost Host { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>How often the open page re-reads model status.</summary>
    [Parameter]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    private Uri BaseUrl => new(Navigation.BaseUri);

    private string CountText => entries.Count == 1 ? "One model" : entries.Count.ToString(CultureInfo.InvariantCulture) + " models";

    protected override async Task OnInitializedAsync() => entries = await ReadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _ = RefreshLoopAsync(_stopping.Token);
        }
    }

    private async Task<IReadOnlyList<ModelEntry>> ReadAsync()
    {
        var loaded = Host.LoadedModels.ToHashSet(StringComparer.Ordinal);
        var read = new List<ModelEntry>();
        foreach (var model in Host.List())
        {
            bool? tools = null;
            if (loaded.Contains(model.Id))
            {
                // Already in memory, so this returns at once; an unloaded model is not loaded just to draw a page.
                tools = (await Host.GetAsync(model.Id, CancellationToken.None)).SupportsTools;
            }

            read.Add(new ModelEntry(model, loaded.Contains(model.Id), tools));
        }

        return read;
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(RefreshAsync);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private async Task RefreshAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var latest = await ReadAsync();
        if (!latest.SequenceEqual(entries))
        {
            entries = latest;
            StateHasChanged();
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed record ModelEntry(ModelDescriptor Model, bool Loaded, bool? SupportsTools);
}
