using System.Globalization;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Presets;

/// <summary>
/// Creates a preset (empty, from a model, as a copy, or from the playground's current setup via <see cref="Initial"/>)
/// or edits <see cref="PresetId"/>. The result's data is the saved preset's name.
/// </summary>
public sealed partial class PresetEditorDialog
{
    public static DialogOptions Options { get; } = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true };

    private static readonly ModelDescriptor Fallback = new() { Id = "", DisplayName = "", Path = "", ContextLength = 4096 };

    private MudForm? form;
    private PresetForm input = new();
    private IReadOnlyList<ModelDescriptor> catalog = [];
    private IReadOnlyDictionary<string, string> problems = new Dictionary<string, string>();
    private Dictionary<string, string?> savedValues = new(StringComparer.Ordinal);
    private bool loaded;
    private bool notFound;
    private bool saving;
    private DatabaseTrouble? trouble;

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>The preset to edit; null creates one.</summary>
    [Parameter]
    public Guid? PresetId { get; set; }

    /// <summary>What a new preset starts with (a model from the Models page, a copy, the playground's setup).</summary>
    [Parameter]
    public PresetForm? Initial { get; set; }

    [Inject]
    public required FreshScope<PresetService> Presets { get; init; }

    [Inject]
    public required IModelProvider Models { get; init; }

    [Inject]
    public required SignedInUser SignedInUser { get; init; }

    private ModelDescriptor? SelectedModel => string.IsNullOrWhiteSpace(input.ModelId) ? null : Models.Find(input.ModelId.Trim());

    /// <summary>The parameters of the chosen model (or generic ranges before one is chosen).</summary>
    private IReadOnlyList<SamplingParameter> Parameters => SamplingParameters.For(SelectedModel ?? catalog.FirstOrDefault() ?? Fallback);

    protected override async Task OnInitializedAsync()
    {
        catalog = Models.List();
        if (PresetId is { } id)
        {
            var userId = await SignedInUser.GetIdAsync();
            var preset = await Presets.RunAsync(service => service.FindAsync(userId, id, CancellationToken.None));
            notFound = preset is null;
            input = preset is null ? new PresetForm() : PresetForm.From(preset);
        }
        else
        {
            input = Initial ?? new PresetForm();
            input.ModelId ??= catalog.FirstOrDefault(m => !m.IsSmokeTest)?.Id ?? catalog.FirstOrDefault()?.Id;
        }

        loaded = true;
    }

    private bool Has(string field) => problems.ContainsKey(field);

    private string? ProblemOf(string field) => problems.GetValueOrDefault(field);

    /// <summary>
    /// What the last save said about <paramref name="field"/> (e.g. a name already taken), while the field still holds
    /// the value it said it about: the form shows it beside the field like its own checks, and editing clears it.
    /// </summary>
    private string? Saved(string field, string? value) =>
        problems.TryGetValue(field, out var problem) && string.Equals(savedValues.GetValueOrDefault(field), value, StringComparison.Ordinal) ? problem : null;

    private async Task ShowProblemsAsync(IReadOnlyDictionary<string, string> found)
    {
        problems = found;
        savedValues = found.Keys.ToDictionary(field => field, FieldText, StringComparer.Ordinal);
        await form!.ValidateAsync();
    }

    private string? FieldText(string field) => field switch
    {
        "Name" => input.Name,
        "ModelId" => input.ModelId,
        "SystemPrompt" => input.SystemPrompt,
        SamplingParameters.Stop => input.Stop,
        _ when input.NumericFields.Any(f => f.Parameter == field) => input.GetText(field),
        _ => null,
    };

    private async Task SaveAsync()
    {
        if (form is null)
        {
            return;
        }

        // The service's verdict is the one that counts (it also knows the names already taken); the form's own checks
        // only decide what shows while typing.
        problems = new Dictionary<string, string>();
        await form.ValidateAsync();
        saving = true;
        trouble = null;
        try
        {
            var userId = await SignedInUser.GetIdAsync();
            var draft = input.ToDraft(out var formatProblems);
            if (formatProblems.Count > 0)
            {
                // Text that is not a number never reaches the service; the other fields are still checked so every problem shows at once.
                var rest = await Presets.RunAsync(service => service.ValidateAsync(userId, PresetId, draft, CancellationToken.None));
                foreach (var (field, message) in rest)
                {
                    formatProblems.TryAdd(field, message);
                }

                await ShowProblemsAsync(formatProblems);
                return;
            }

            var result = PresetId is { } id
                ? await Presets.RunAsync(service => service.UpdateAsync(userId, id, draft, CancellationToken.None))
                : await Presets.RunAsync(service => service.CreateAsync(userId, draft, CancellationToken.None));
            if (result is null)
            {
                notFound = true;
                return;
            }

            if (!result.IsSaved)
            {
                await ShowProblemsAsync(result.Problems);
                return;
            }

            Dialog.Close(DialogResult.Ok(result.Preset!.Name));
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

    private static string Placeholder(SamplingParameter parameter) => parameter.Kind switch
    {
        ParameterKind.Seed => "random",
        ParameterKind.StopSequences => "one per line; \\n is a newline",
        _ => string.Create(CultureInfo.InvariantCulture, $"{parameter.Default:0.##} ({parameter.Min:0.##}–{parameter.Max:0.##})"),
    };
}
