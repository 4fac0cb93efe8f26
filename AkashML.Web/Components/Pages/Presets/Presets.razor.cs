using System.Security.Claims;
using AkashML.Data.Presets;
using AkashML.Inference.Serving;
using AkashML.Web.Presets;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Presets;

public sealed partial class Presets
{
    [Inject]
    public required PresetService Service { get; init; }

    [Inject]
    public required IModelProvider Models { get; init; }

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    private IReadOnlyList<Preset>? List { get; set; }

    private HashSet<string> KnownModels { get; } = new(StringComparer.Ordinal);

    protected override async Task OnInitializedAsync()
    {
        var userId = HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        List = await Service.ListAsync(userId, HttpContext.RequestAborted);
        KnownModels.UnionWith(Models.List().Select(m => m.Id));
    }
}
