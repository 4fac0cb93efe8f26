using AkashML.Web.Admin;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary>
/// <c>/admin/inferences/{id}</c>: any request by its <c>Inference-Id</c>. The result lives at a shareable address;
/// <c>?id=</c> (the old search form's query) is sent there.
/// </summary>
public sealed partial class AdminInference : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private IReadOnlyList<InferenceDetail> results = [];
    private string? typed;
    private bool searching;

    [Inject] public required AdminDesk Desk { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [Parameter] public string? InferenceId { get; set; }

    [SupplyParameterFromQuery(Name = "id")] public string? IdQuery { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (string.IsNullOrWhiteSpace(InferenceId) && !string.IsNullOrWhiteSpace(IdQuery))
        {
            Navigation.NavigateTo("admin/inferences/" + Uri.EscapeDataString(IdQuery.Trim()), replace: true);
            return;
        }

        typed = InferenceId;
        results = [];
        if (!string.IsNullOrWhiteSpace(InferenceId))
        {
            searching = true;
            try
            {
                results = await Desk.FindInferenceAsync(InferenceId, stopping.Token);
            }
            finally
            {
                searching = false;
            }
        }
    }

    private void LookUp()
    {
        if (!string.IsNullOrWhiteSpace(typed))
        {
            Navigation.NavigateTo("admin/inferences/" + Uri.EscapeDataString(typed.Trim()));
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
