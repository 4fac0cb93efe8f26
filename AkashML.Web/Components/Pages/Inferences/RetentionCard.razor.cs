using System.Globalization;
using AkashML.Data.Inferences;
using AkashML.Web.Inferences;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using AkashML.Web.Usage;

namespace AkashML.Web.Components.Pages.Inferences;

/// <summary>Reads and saves the user's retention setting; turning it off deletes what was kept (the settings service does that).</summary>
public sealed partial class RetentionCard
{
    private MudForm? form;
    private bool enabled;
    private int? days = 7;
    private int? savedDays;
    private int keptCount;
    private bool saving;

    [Inject]
    public required InferenceRetentionSettings Settings { get; init; }

    [Inject]
    public required InferenceQueries Queries { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Parameter, EditorRequired]
    public string UserId { get; set; } = "";

    public static string DaysMessage { get; } = string.Create(CultureInfo.InvariantCulture, $"Enter a number of days from 1 to {InferenceRetention.MaxDays}.");

    protected override async Task OnParametersSetAsync()
    {
        savedDays = await Settings.GetDaysAsync(UserId, CancellationToken.None);
        enabled = savedDays is not null;
        days = savedDays ?? 7;
        keptCount = await Queries.KeptCountAsync(UserId, CancellationToken.None);
    }

    private string? ValidateDays(int? value) =>
        !enabled || value is >= 1 and <= InferenceRetention.MaxDays ? null : DaysMessage;

    private async Task SaveAsync()
    {
        await form!.ValidateAsync();
        if (!form.IsValid)
        {
            return;
        }

        saving = true;
        try
        {
            var keep = enabled ? days : null;
            await Settings.SetAsync(UserId, keep, CancellationToken.None);
            savedDays = keep;
            keptCount = await Queries.KeptCountAsync(UserId, CancellationToken.None);
            Snackbar.Add(keep is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"Retention is on: prompts and outputs of new requests are kept for {d} days.")
                : "Retention is off. Kept prompts and outputs were deleted.", keep is null ? Severity.Info : Severity.Success);
        }
        finally
        {
            saving = false;
        }
    }
}
