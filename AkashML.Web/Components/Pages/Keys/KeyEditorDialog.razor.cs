using AkashML.Data.Keys;
using AkashML.Inference.Serving;
using AkashML.Web.Keys;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// Creates a key (the result is the <see cref="IssuedSecret"/> to show once) or edits <see cref="Editing"/> (the result
/// is the message to show). The user comes from the circuit, and every change names them as the owner, so a key id
/// of someone else's key changes nothing.
/// </summary>
public sealed partial class KeyEditorDialog
{
    public static DialogOptions Options { get; } = new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true };

    private MudForm? form;
    private KeyInput input = new();
    private bool valid;
    private bool saving;
    private DatabaseTrouble? trouble;
    private string? problem;

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>The key to edit; null creates one.</summary>
    [Parameter]
    public ApiKey? Editing { get; set; }

    [Inject]
    public required FreshScope<ApiKeyService> Keys { get; init; }

    [Inject]
    public required SignedInUser SignedInUser { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required IModelProvider Models { get; init; }

    protected override void OnInitialized()
    {
        if (Editing is { } key)
        {
            input = KeyInput.From(key);
        }
    }

    private async Task SaveAsync()
    {
        problem = null;
        await form!.ValidateAsync();
        if (!form.IsValid || input.Problems(Clock.GetUtcNow(), Models).Count > 0)
        {
            return;
        }

        saving = true;
        trouble = null;
        try
        {
            var userId = await SignedInUser.GetIdAsync();
            var limits = input.ToLimits();
            if (Editing is { } key)
            {
                var found = await Keys.RunAsync(keys => keys.EditAsync(key.Id, userId, input.Name!, limits, CancellationToken.None));
                if (!found)
                {
                    problem = "That key does not exist or was revoked.";
                    return;
                }

                Dialog.Close(DialogResult.Ok($"Saved “{input.Name!.Trim()}”."));
            }
            else
            {
                var (created, secret) = await Keys.RunAsync(keys => keys.CreateAsync(userId, input.Name!, limits, CancellationToken.None));
                Dialog.Close(DialogResult.Ok(new IssuedSecret($"Your new key “{created.Name}” is ready", created.Name, secret)));
            }
        }
        catch (ApiKeyValidationException ex)
        {
            problem = Capitalise(string.Join("; ", ex.Problems)) + ".";
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

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
