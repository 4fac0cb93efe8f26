using System.Globalization;
using System.Security.Claims;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Components.Account;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Presets;

/// <summary>Creates (also as a copy of another preset, or from the playground's current setup) and edits presets.</summary>
public sealed partial class PresetEdit
{
    [Inject]
    public required PresetService Service { get; init; }

    [Inject]
    public required IModelProvider Models { get; init; }

    [Inject]
    internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [Parameter]
    public Guid? Id { get; set; }

    /// <summary>A model to start a new preset with (from the Models page).</summary>
    [SupplyParameterFromQuery(Name = "model")]
    public string? StartModel { get; set; }

    /// <summary>A preset to duplicate.</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public Guid? From { get; set; }

    [SupplyParameterFromForm(FormName = "preset")]
    public PresetForm Input { get; set; } = default!;

    private IReadOnlyDictionary<string, string> Problems { get; set; } = new Dictionary<string, string>();

    private bool NotFound { get; set; }

    private IReadOnlyList<ModelDescriptor> Catalog { get; set; } = [];

    private string Title => Id is null ? "New preset" : "Edit preset";

    private string UserId => HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <summary>The parameters of the chosen model (or generic ranges before one is chosen).</summary>
    private IReadOnlyList<SamplingParameter> Parameters =>
        SamplingParameters.For(Models.Find(Input.ModelId ?? "") ?? Catalog.FirstOrDefault() ?? Fallback);

    private static readonly ModelDescriptor Fallback = new() { Id = "", DisplayName = "", Path = "", ContextLength = 4096 };

    protected override async Task OnInitializedAsync()
    {
        Input ??= new PresetForm();
        Catalog = Models.List();
        if (HttpMethods.IsPost(HttpContext.Request.Method))
        {
            return;
        }

        if (Id is { } id)
        {
            var preset = await Service.FindAsync(UserId, id, HttpContext.RequestAborted);
            NotFound = preset is null;
            Input = preset is null ? new PresetForm() : PresetForm.From(preset);
        }
        else if (From is { } source && await Service.FindAsync(UserId, source, HttpContext.RequestAborted) is { } original)
        {
            Input = PresetForm.From(original, await Service.CopyNameAsync(UserId, original.Name, HttpContext.RequestAborted));
        }
        else
        {
            Input.ModelId = StartModel ?? Catalog.FirstOrDefault(m => !m.IsSmokeTest)?.Id ?? Catalog.FirstOrDefault()?.Id;
        }
    }

    private async Task SaveAsync()
    {
        var draft = Input.ToDraft(out var formatProblems);
        if (formatProblems.Count > 0)
        {
            // Text that is not a number never reaches the service; other fields are still checked so every problem shows at once.
            var rest = await ValidateOnlyAsync(draft);
            foreach (var (field, message) in rest)
            {
                formatProblems.TryAdd(field, message);
            }

            Problems = formatProblems;
            return;
        }

        var result = Id is { } id
            ? await Service.UpdateAsync(UserId, id, draft, HttpContext.RequestAborted)
            : await Service.CreateAsync(UserId, draft, HttpContext.RequestAborted);
        if (result is null)
        {
            NotFound = true;
            return;
        }

        if (!result.IsSaved)
        {
            Problems = result.Problems;
            return;
        }

        RedirectManager.RedirectToWithStatus("presets", $"Preset '{result.Preset!.Name}' saved.", HttpContext);
    }

    /// <summary>The service's verdict on the fields that did parse, without saving.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ValidateOnlyAsync(PresetDraft draft) =>
        (await Service.ValidateAsync(UserId, Id, draft, HttpContext.RequestAborted));

    private string FieldClass(string field) => Problems.ContainsKey(field) ? "am-input invalid" : "am-input";

    private string? Invalid(string field) => Problems.ContainsKey(field) ? "true" : null;

    private static string Placeholder(SamplingParameter parameter) =>
        string.Create(CultureInfo.InvariantCulture, $"{parameter.Default:0.##} ({parameter.Min:0.##}–{parameter.Max:0.##})");
}
