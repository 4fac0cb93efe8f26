using AkashML.Data.Keys;
using AkashML.Web.Keys;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>Confirms and revokes <see cref="Key"/>; the result is the message to show.</summary>
public sealed partial class RevokeKeyDialog
{
    public static DialogOptions Options { get; } = new() { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true, CloseButton = true };

    private bool revoking;
    private DatabaseTrouble? trouble;
    private string? problem;

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    [Parameter, EditorRequired]
    public ApiKey? Key { get; set; }

    [Inject]
    public required FreshScope<ApiKeyService> Keys { get; init; }

    [Inject]
    public required SignedInUser SignedInUser { get; init; }

    private async Task RevokeAsync()
    {
        if (Key is not { } key)
        {
            return;
        }

        revoking = true;
        trouble = null;
        try
        {
            var userId = await SignedInUser.GetIdAsync();
            if (!await Keys.RunAsync(keys => keys.RevokeAsync(key.Id, userId, CancellationToken.None)))
            {
                problem = "That key does not exist or was already revoked.";
                return;
            }

            Dialog.Close(DialogResult.Ok($"Revoked “{key.Name}”. Requests with it are now refused."));
        }
        catch (Exception ex) when (DatabaseTrouble.Of(ex) is { } found)
        {
            // Not this dialog's bug: say so and stay open to retry (an exception here would end the circuit).
            trouble = found;
        }
        finally
        {
            revoking = false;
        }
    }

    private void Cancel() => Dialog.Cancel();
}
