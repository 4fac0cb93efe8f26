using System.Globalization;
using AkashML.Data.Identity;
using AkashML.Data.Usage;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Components.Pages.Usage;

/// <summary>The usage page: everything comes from the query string, so every view is a link.</summary>
public sealed partial class UsagePage
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    [Inject]
    public required UsageQueries Queries { get; init; }

    [Inject]
    public required UserManager<ApplicationUser> UserManager { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    [SupplyParameterFromQuery(Name = "granularity")]
    public string? Granularity { get; set; }

    [SupplyParameterFromQuery(Name = "key")]
    public string? Key { get; set; }

    [SupplyParameterFromQuery(Name = "model")]
    public string? Model { get; set; }

    [SupplyParameterFromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    private UsageFilter Filter { get; set; } = default!;

    private UsageView? View { get; set; }

    private IReadOnlyList<string> Labels { get; set; } = [];

    private string Unit => Filter.Granularity == UsageGranularity.Hour ? "hour" : "day";

    /// <summary>The models seen, plus the filtered one if it was never used (so the select shows it).</summary>
    private IEnumerable<string> ModelChoices =>
        Filter.Model is { } model && !View!.KnownModels.Contains(model) ? View.KnownModels.Append(model) : View!.KnownModels;

    protected override async Task OnInitializedAsync()
    {
        var userId = UserManager.GetUserId(HttpContext.User) ?? throw new InvalidOperationException("the page requires a signed-in user");
        Filter = UsageFilter.Parse(From, To, Granularity, Key, Model, Clock.GetUtcNow());
        View = await Queries.LoadAsync(userId, Filter, Cursor, HttpContext.RequestAborted);
        var format = Filter.Granularity == UsageGranularity.Hour ? "MMM d HH:mm" : "MMM d";
        Labels = [.. View.Series.Select(p => p.Bucket.UtcDateTime.ToString(format, Invariant))];
    }
}
