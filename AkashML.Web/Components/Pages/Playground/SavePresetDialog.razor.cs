using AkashML.Inference.Catalog;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class SavePresetDialog
{
    private MudForm? form;
    private bool valid;
    private bool saving;
    private DatabaseTrouble? trouble;
    private string name = "";
    private string? serverNameProblem;
    private List<string> otherProblems = [];

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    public required PresetService Presets { get; init; }

    [Parameter, EditorRequired]
    public string UserId { get; set; } = "";

    [Parameter, EditorRequired]
    public PlaygroundSettings Settings { get; set; } = default!;

    [Parameter, EditorRequired]
    public ModelDescriptor Model { get; set; } = default!;

    /// <summary>A name to start from (the preset the settings came from is not overwritten: this makes a new one).</summary>
    [Parameter]
    public string? SuggestedName { get; set; }

    private int ParameterCount => PlaygroundRequests.Parameters(Settings, Model).Count;

    protected override void OnInitialized() => name = SuggestedName ?? "";

    private string? NameProblem(string? value)
    {
        serverNameProblem = null;
        return PresetNames.Problem(value?.Trim());
    }

    private async Task OnKeyDownAsync(KeyboardEventArgs args)
    {
        if (args.Key == "Enter")
        {
            await SaveAsync();
        }
    }

    private async Task SaveAsync()
    {
        if (form is not null)
        {
            await form.ValidateAsync();
        }

        if (!valid || saving)
        {
            return;
        }

        saving = true;
        trouble = null;
        try
        {
            var result = await Presets.CreateAsync(UserId, PlaygroundRequests.PresetDraft(name.Trim(), Settings, Model), CancellationToken.None);
            if (result.IsSaved)
            {
                Dialog.Close(DialogResult.Ok(result.Preset!.Name));
                return;
            }

            serverNameProblem = result.Problems.GetValueOrDefault("Name");
            otherProblems = result.Problems.Where(p => p.Key != "Name").Select(p => p.Value).ToList();
        }
        catch (Exception ex) when (DatabaseTrouble.Of(ex) is { } found)
        {
            // Not this dialog's bug: say so and stay open to retry (an exception here would end the circuit).
            trouble = found;
        }
        finally
        {
            saving = false;
        }
    }

    private void Cancel() => Dialog.Cancel();
}
