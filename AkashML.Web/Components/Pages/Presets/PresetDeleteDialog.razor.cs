using AkashML.Data.Presets;
using AkashML.Web.Presets;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Presets;

/// <summary>Confirms and deletes <see cref="Preset"/> (only if it is the signed-in user's); the result is its name.</summary>
public sealed partial class PresetDeleteDialog
{
    public static DialogOptions Options { get; } = new() { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true, CloseButton = true };

    private bool deleting;
    private DatabaseTrouble? trouble;
    private string? problem;

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    [Parameter, EditorRequired]
    public Preset? Preset { get; set; }

    [Inject]
    public required FreshScope<PresetService> Presets { get; init; }

    [Inject]
    public required SignedInUser SignedInUser { get; init; }

    private async Task DeleteAsync()
    {
        if (Preset is not { } preset)
        {
            return;
        }

        deleting = true;
        trouble = null;
        try
        {
            var userId = await SignedInUser.GetIdAsync();
            if (!await Presets.RunAsync(service => service.DeleteAsync(userId, preset.Id, CancellationToken.None)))
            {
                problem = "That preset does not exist, or it is not yours.";
                return;
            }

            Dialog.Close(DialogResult.Ok(preset.Name));
        }
        catch (Exception ex) when (DatabaseTrouble.Of(ex) is { } found)
        {
            // Not this dialog's bug: say so and stay open to retry (an exception here would end the circuit).
            trouble = found;
        }
        finally
        {
            deleting = false;
        }
    }

    private void Cancel() => Dialog.Cancel();
}
