using System.Globalization;
using AkashML.Data.Keys;
using AkashML.Web.Keys;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>Rolls <see cref="Key"/>; the result is the <see cref="IssuedSecret"/> of the new secret, to show once.</summary>
public sealed partial class RollKeyDialog
{
    public static DialogOptions Options { get; } = new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true };

    /// <summary>No grace by default: a roll is often a response to a leak.</summary>
    private int graceHours;
    private bool rolling;
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

    private async Task RollAsync()
    {
        if (Key is not { } key)
        {
            return;
        }

        if (!KeyFormat.GraceHours.Contains(graceHours))
        {
            problem = "Pick a grace period between 0 and 24 hours.";
            return;
        }

        rolling = true;
        trouble = null;
        problem = null;
        try
        {
            var userId = await SignedInUser.GetIdAsync();
            var rolled = await Keys.RunAsync(keys => keys.RollAsync(key.Id, userId, TimeSpan.FromHours(graceHours), CancellationToken.None));
            if (rolled is not { } result)
            {
                problem = "That key does not exist or was revoked.";
                return;
            }

            var outcome = graceHours == 0
                ? "The old secret stopped working."
                : string.Create(CultureInfo.InvariantCulture, $"The old secret keeps working for {KeyFormat.GraceLabel(graceHours)}.");
            Dialog.Close(DialogResult.Ok(new IssuedSecret($"“{result.Key.Name}” has a new secret", result.Key.Name, result.Secret, outcome)));
        }
        catch (ApiKeyValidationException ex)
        {
            problem = string.Join("; ", ex.Problems);
            problem = char.ToUpperInvariant(problem[0]) + problem[1..] + ".";
        }
        catch (Exception ex) when (DatabaseTrouble.Of(ex) is { } found)
        {
            // Not this dialog's bug: say so and stay open to retry (an exception here would end the circuit).
            trouble = found;
        }
        finally
        {
            rolling = false;
        }
    }

    private void Cancel() => Dialog.Cancel();
}
