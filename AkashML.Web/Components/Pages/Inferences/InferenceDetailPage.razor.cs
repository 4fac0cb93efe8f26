using AkashML.Web.Inferences;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Inferences;

/// <summary>One request in full. Someone else's id reads exactly like an unknown one.</summary>
public sealed partial class InferenceDetailPage
{
    private readonly List<BreadcrumbItem> breadcrumbs = [new("Inferences", "inferences"), new("Request", null, disabled: true)];
    private InferenceDetail? detail;
    private bool loaded;

    [Parameter]
    public string InferenceId { get; set; } = "";

    [Inject]
    public required InferenceQueries Queries { get; init; }

    [Inject]
    public required SignedInUser User { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        detail = await Queries.FindAsync(await User.GetIdAsync(), InferenceId, CancellationToken.None);
        loaded = true;
    }

    private async Task CopyIdAsync()
    {
        var copied = await JS.InvokeAsync<bool>("akashml.copy", InferenceId);
        Snackbar.Add(copied ? "Inference id copied." : "Copy failed: select the id and press Ctrl+C.", copied ? Severity.Success : Severity.Warning);
    }
}
