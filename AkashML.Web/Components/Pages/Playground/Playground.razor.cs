using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using AkashML.Inference.Serving;
using AkashML.Web.Presets;
using Microsoft.AspNetCore.Components;
using PlaygroundEndpoints = AkashML.Web.Playground.PlaygroundApi;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class Playground
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    [Inject]
    public required ModelHost Host { get; init; }

    [Inject]
    public required PresetService Presets { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "model")]
    public string? ModelQuery { get; set; }

    [SupplyParameterFromQuery(Name = "preset")]
    public string? PresetQuery { get; set; }

    private PlaygroundData Data { get; set; } = default!;

    /// <summary>The data as JSON for a <c>&lt;script type="application/json"&gt;</c>: the default encoder escapes <c>&lt;</c>, so it cannot close the tag.</summary>
    private string DataJson => JsonSerializer.Serialize(Data, JsonOptions);

    protected override async Task OnInitializedAsync()
    {
        var userId = HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var loaded = Host.LoadedModels.ToHashSet(StringComparer.Ordinal);
        var models = Host.List()
            .Select(m => new PlaygroundModel(m.Id, m.DisplayName, m.Description, m.ContextLength, m.MaxOutputTokens,
                m.InputPricePerMillion, m.OutputPricePerMillion, m.IsSmokeTest, loaded.Contains(m.Id), AkashML.Web.Playground.SamplingParameters.For(m)))
            .ToList();
        var presets = (await Presets.ListAsync(userId, HttpContext.RequestAborted))
            .Select(p => new PlaygroundPreset(p.Name, p.ModelId, p.SystemPrompt, PresetService.Parameters(p)))
            .ToList();

        string? warning = null;
        var preset = PresetQuery is { Length: > 0 } wanted
            ? presets.FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase))
            : null;
        if (PresetQuery is { Length: > 0 } && preset is null)
        {
            warning = $"There is no preset named '{PresetQuery}'.";
        }

        var model = preset?.Model ?? ModelQuery;
        var found = model is null ? null : Host.Find(model);
        if (model is not null && found is null)
        {
            warning = $"The model '{model}' is not available; pick another one.";
        }

        var start = found?.Id ?? models.FirstOrDefault(m => !m.SmokeTest)?.Id ?? models.FirstOrDefault()?.Id;
        Data = new PlaygroundData(Navigation.BaseUri, PlaygroundEndpoints.ChatPath.TrimStart('/'), models, presets,
            new PlaygroundStart(start, preset?.Name, warning));
    }
}
