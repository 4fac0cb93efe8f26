using AkashML.Data.Presets;
using AkashML.Inference.Serving;
using AkashML.Web.Presets;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Presets;

/// <summary>
/// The presets list, with create, edit, duplicate and delete in dialogs. <c>/presets/new</c> (optionally
/// <c>?model=</c> or <c>?from=</c>) and <c>/presets/{id}/edit</c> open the matching dialog, so links from the Models
/// page and older bookmarks keep working.
/// </summary>
public sealed partial class Presets
{
    private IReadOnlyList<Preset>? list;
    private HashSet<string> knownModels = new(StringComparer.Ordinal);
    private string _userId = "";

    [Inject]
    public required FreshScope<PresetService> Service { get; init; }

    [Inject]
    public required IModelProvider Models { get; init; }

    [Inject]
    public required SignedInUser SignedInUser { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>From <c>/presets/{id}/edit</c>.</summary>
    [Parameter]
    public Guid? Id { get; set; }

    /// <summary>A model to start a new preset with (from the Models page).</summary>
    [SupplyParameterFromQuery(Name = "model")]
    public string? StartModel { get; set; }

    /// <summary>A preset to duplicate.</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public Guid? From { get; set; }

    private bool IsNewRoute => Navigation.ToBaseRelativePath(Navigation.Uri).Split('?')[0].TrimEnd('/').EndsWith("presets/new", StringComparison.OrdinalIgnoreCase);

    protected override async Task OnInitializedAsync()
    {
        _userId = await SignedInUser.GetIdAsync();
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive)
        {
            return;
        }

        if (Id is { } id)
        {
            await EditAsync(id);
            Navigation.NavigateTo("presets", replace: true);
        }
        else if (IsNewRoute)
        {
            var source = From is { } from ? list?.FirstOrDefault(p => p.Id == from) : null;
            if (source is not null)
            {
                await DuplicateAsync(source);
            }
            else
            {
                await CreateAsync(new PresetForm { ModelId = StartModel });
            }

            Navigation.NavigateTo("presets", replace: true);
        }
    }

    private async Task LoadAsync()
    {
        list = await Service.RunAsync(service => service.ListAsync(_userId, CancellationToken.None));
        knownModels = Models.List().Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
    }

    private Task CreateAsync(PresetForm? initial) =>
        OpenEditorAsync("New preset", new DialogParameters<PresetEditorDialog> { { d => d.Initial, initial } });

    private async Task DuplicateAsync(Preset original)
    {
        var name = await Service.RunAsync(service => service.CopyNameAsync(_userId, original.Name, CancellationToken.None));
        await OpenEditorAsync("Duplicate preset", new DialogParameters<PresetEditorDialog> { { d => d.Initial, PresetForm.From(original, name) } });
    }

    private Task EditAsync(Guid id) =>
        OpenEditorAsync("Edit preset", new DialogParameters<PresetEditorDialog> { { d => d.PresetId, id } });

    private async Task OpenEditorAsync(string title, DialogParameters<PresetEditorDialog> parameters)
    {
        var dialog = await Dialogs.ShowAsync<PresetEditorDialog>(title, parameters, PresetEditorDialog.Options);
        if (await dialog.Result is { Canceled: false, Data: string name })
        {
            Snackbar.Add($"Preset '{name}' saved.", Severity.Success);
            await LoadAsync();
        }
    }

    private async Task DeleteAsync(Preset preset)
    {
        var parameters = new DialogParameters<PresetDeleteDialog> { { d => d.Preset, preset } };
        var dialog = await Dialogs.ShowAsync<PresetDeleteDialog>("Delete preset", parameters, PresetDeleteDialog.Options);
        if (await dialog.Result is { Canceled: false, Data: string name })
        {
            Snackbar.Add($"Preset '{name}' deleted.", Severity.Success);
            await LoadAsync();
        }
    }
}
