using System.Security.Claims;
using AkashML.Data.Presets;
using AkashML.Web.Components.Account;
using AkashML.Web.Presets;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Presets;

/// <summary>Asks before deleting: a preset may be in use by API clients.</summary>
public sealed partial class PresetDelete
{
    [Inject]
    public required PresetService Service { get; init; }

    [Inject]
    internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [Parameter]
    public Guid Id { get; set; }

    private Preset? Target { get; set; }

    private string UserId => HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    protected override async Task OnInitializedAsync() =>
        Target = await Service.FindAsync(UserId, Id, HttpContext.RequestAborted);

    private async Task DeleteAsync()
    {
        if (Target is null)
        {
            return;
        }

        await Service.DeleteAsync(UserId, Id, HttpContext.RequestAborted);
        RedirectManager.RedirectToWithStatus("presets", $"Preset '{Target.Name}' deleted.", HttpContext);
    }
}
