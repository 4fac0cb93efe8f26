using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// Shows a just-made secret once, with a copy button. "Done" stays disabled until the person ticks "I have stored it";
/// on close the dialog drops its copy, so no component of the circuit holds the secret afterwards.
/// </summary>
public sealed partial class SecretDialog
{
    /// <summary>No close button, no backdrop click, no Escape: only "Done" after the confirmation closes it.</summary>
    public static DialogOptions Options { get; } = new()
    {
        MaxWidth = MaxWidth.Small,
        FullWidth = true,
        CloseButton = false,
        BackdropClick = false,
        CloseOnEscapeKey = false,
    };

    private string? secret;
    private string keyName = "";
    private bool stored;
    private bool copied;

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    [Parameter, EditorRequired]
    public IssuedSecret? Issued { get; set; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string BaseUrl => Navigation.BaseUri + "v1";

    protected override void OnInitialized()
    {
        // Taken once: the parameter is not read again, so a later render cannot bring the secret back.
        secret = Issued?.Secret;
        keyName = Issued?.KeyName ?? "";
    }

    private async Task CopyAsync()
    {
        if (secret is null)
        {
            return;
        }

        copied = await JS.InvokeAsync<bool>("akashml.copy", secret);
        if (!copied)
        {
            Snackbar.Add("Could not reach the clipboard: select the secret and copy it by hand.", Severity.Warning);
        }
    }

    private void Done()
    {
        if (!stored)
        {
            return;
        }

        secret = null;
        Dialog.Close(DialogResult.Ok(true));
    }
}
