using System.Globalization;
using AkashML.Data.Identity;
using AkashML.Data.Inferences;
using AkashML.Web.Components.Account;
using AkashML.Web.Inferences;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Components.Pages.Inferences;

/// <summary>Look-up by Inference-Id, the retention setting, and the user's requests, newest first.</summary>
public sealed partial class InferencesPage
{
    private string _userId = "";
    private UsagePage _page = new([], null);
    private IReadOnlyDictionary<Guid, string> _keyNames = new Dictionary<Guid, string>();
    private int? _retentionDays;
    private int _keptCount;
    private string? _retentionError;

    [Inject]
    public required InferenceQueries Queries { get; init; }

    [Inject]
    public required UsageQueries Usage { get; init; }

    [Inject]
    public required InferenceRetentionSettings RetentionSettings { get; init; }

    [Inject]
    public required UserManager<ApplicationUser> UserManager { get; init; }

    [Inject]
    internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    [SupplyParameterFromForm(FormName = "retention")]
    private RetentionInput? Retention { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _userId = UserManager.GetUserId(HttpContext.User) ?? throw new InvalidOperationException("the page requires a signed-in user");
        var cancellationToken = HttpContext.RequestAborted;
        Status = Status is "error" or "cancelled" or "ok" ? Status : null;
        _retentionDays = await RetentionSettings.GetDaysAsync(_userId, cancellationToken);
        _keptCount = await Queries.KeptCountAsync(_userId, cancellationToken);
        _page = await Queries.ListAsync(_userId, Status, Cursor, cancellationToken);
        _keyNames = await Usage.KeyNamesAsync(_userId, cancellationToken);
    }

    private async Task SaveRetentionAsync()
    {
        var input = Retention ?? new RetentionInput();
        int? days = null;
        if (input.Enabled == "true")
        {
            if (!int.TryParse(input.Days, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) || parsed < 1 || parsed > InferenceRetention.MaxDays)
            {
                _retentionError = $"Enter a number of days from 1 to {InferenceRetention.MaxDays}.";
                return;
            }

            days = parsed;
        }

        await RetentionSettings.SetAsync(_userId, days, HttpContext.RequestAborted);
        RedirectManager.RedirectToWithStatus("inferences", days is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"Retention is on: prompts and outputs of new requests are kept for {d} days.")
            : "Retention is off. Kept prompts and outputs were deleted.", HttpContext);
    }

    /// <summary>The retention form.</summary>
    public sealed class RetentionInput
    {
        public string? Enabled { get; set; }

        public string? Days { get; set; }
    }
}
