using AkashML.Web.Components.Pages.Usage;
using AkashML.Web.Inferences;
using AkashML.Web.Shell;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Inferences;

/// <summary>Look-up by Inference-Id, the retention setting, and the user's requests in a server-paged grid (status in the URL).</summary>
public sealed partial class InferencesPage
{
    private string userId = "";
    private string? lookupId;
    private MudForm? lookupForm;
    private RequestsGrid? grid;
    private IReadOnlyDictionary<Guid, string> keyNames = new Dictionary<Guid, string>();
    private string? appliedStatus;

    [Inject]
    public required InferenceQueries Queries { get; init; }

    [Inject]
    public required UsageQueries Usage { get; init; }

    [Inject]
    public required SignedInUser User { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    protected override async Task OnInitializedAsync()
    {
        userId = await User.GetIdAsync();
        keyNames = await Usage.KeyNamesAsync(userId, CancellationToken.None);
    }

    protected override async Task OnParametersSetAsync()
    {
        Status = UsageFilter.Statuses.Contains(Status ?? "") ? Status : null;
        if (Status != appliedStatus)
        {
            appliedStatus = Status;
            if (grid is not null)
            {
                await grid.ResetAsync();
            }
        }
    }

    private async Task SetStatusAsync(string value)
    {
        Status = string.IsNullOrEmpty(value) ? null : value;
        Navigation.NavigateTo(Status is null ? "inferences" : "inferences?status=" + Uri.EscapeDataString(Status), replace: true);
        appliedStatus = Status;
        if (grid is not null)
        {
            await grid.ResetAsync();
        }
    }

    private Task<UsageRowsPage> LoadRowsAsync(RowsRequest request, CancellationToken cancellationToken) =>
        Queries.RowsAsync(userId, appliedStatus, request.Sort, request.Descending, request.Page, request.PageSize, cancellationToken);

    private async Task LookupKeyAsync(KeyboardEventArgs args)
    {
        if (args.Key == "Enter")
        {
            await LookupAsync();
        }
    }

    /// <summary>Opens the request's own page, so the address bar holds a link support can use; whether it exists is that page's business.</summary>
    private async Task LookupAsync()
    {
        await lookupForm!.ValidateAsync();
        if (lookupForm.IsValid && lookupId?.Trim() is { Length: > 0 } id)
        {
            Navigation.NavigateTo("inferences/" + Uri.EscapeDataString(id));
        }
    }
}
