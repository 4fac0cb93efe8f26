using System.Globalization;
using AkashML.Data.Usage;
using AkashML.Web.Shell;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Usage;

/// <summary>
/// The usage page. The URL is the state: filters are query parameters, a filter change navigates (replacing the
/// history entry) and the page applies what the query string says, so reloads and links restore the view. Charts
/// and totals come from the rollups; the grid pages on the server. "Live" re-reads on the account's change feed and
/// on a short poll.
/// </summary>
public sealed partial class UsagePage : IAsyncDisposable
{
    /// <summary>How often a live page re-reads for requests this process did not publish.</summary>
    public static readonly TimeSpan LiveInterval = TimeSpan.FromSeconds(5);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly int[] RangePresets = [7, 30, 90];

    private readonly CancellationTokenSource stopping = new();
    private string userId = "";
    private UsageFilter filter = UsageFilter.Default(DateTimeOffset.UtcNow);
    private string? appliedQuery;
    private UsageSummary? summary;
    private RequestsGrid? grid;
    private DateRange dateRange = new();
    private bool following;
    private LiveRefresh? live;
    private DateTimeOffset? refreshedAt;
    private int loadVersion;

    [Inject]
    public required UsageQueries Queries { get; init; }

    [Inject]
    public required SignedInUser User { get; init; }

    [Inject]
    public required AccountChanges Changes { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

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

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "live")]
    public string? Live { get; set; }

    /// <summary>The filter the page shows now (tests read it).</summary>
    public UsageFilter Filter => filter;

    private DateTime Today => Clock.GetUtcNow().UtcDateTime.Date;

    private IReadOnlyDictionary<Guid, string> KeyNames => summary?.KeyNames ?? new Dictionary<Guid, string>();

    private string GranularityValue => filter.Granularity == UsageGranularity.Hour ? "hour" : "day";

    private bool IsFiltered => filter.KeyId is not null || filter.Model is not null || filter.Status is not null;

    private string ExportHref => "usage/export.csv?" + filter.ToQuery();

    /// <summary>Models seen in the account (requests without one are shown, not offered), plus the filtered one if it was never used.</summary>
    private IEnumerable<string> ModelChoices
    {
        get
        {
            var known = (summary?.KnownModels ?? []).Where(m => m.Length > 0);
            return filter.Model is { } model && !known.Contains(model) ? known.Append(model) : known;
        }
    }

    protected override async Task OnInitializedAsync() => userId = await User.GetIdAsync();

    protected override async Task OnParametersSetAsync()
    {
        var parsed = UsageFilter.Parse(From, To, Granularity, Key, Model, Clock.GetUtcNow(), Status);
        if (parsed.ToQuery() != appliedQuery || parsed.Problems.Count != filter.Problems.Count)
        {
            await ApplyAsync(parsed, navigate: false);
        }

        await FollowAsync(Live is "1" or "true" or "on");
    }

    private bool IsPreset(int days) => filter.To == DateOnly.FromDateTime(Today) && filter.To.DayNumber - filter.From.DayNumber + 1 == days;

    private Task SetRangeAsync(int days)
    {
        var today = DateOnly.FromDateTime(Today);
        return ChangeAsync(from: today.AddDays(-(days - 1)), to: today);
    }

    private Task SetDatesAsync(DateRange range)
    {
        if (range?.Start is not { } start || range.End is not { } end)
        {
            return Task.CompletedTask;
        }

        return ChangeAsync(from: DateOnly.FromDateTime(start), to: DateOnly.FromDateTime(end));
    }

    private Task SetGranularityAsync(string value) => ChangeAsync(granularity: value);

    private Task SetModelAsync(string value) => ChangeAsync(model: value);

    private Task SetKeyAsync(string value) => ChangeAsync(key: value);

    private Task SetStatusAsync(string value) => ChangeAsync(status: value);

    private Task ClearFiltersAsync() => ChangeAsync(key: "", model: "", status: "");

    /// <summary>Builds the next filter from the current one and the changed fields, through the same parser as the URL.</summary>
    private Task ChangeAsync(DateOnly? from = null, DateOnly? to = null, string? granularity = null, string? key = null, string? model = null, string? status = null)
    {
        var next = UsageFilter.Parse(
            (from ?? filter.From).ToString("yyyy-MM-dd", Invariant),
            (to ?? filter.To).ToString("yyyy-MM-dd", Invariant),
            granularity ?? GranularityValue,
            key ?? filter.KeyId?.ToString(),
            model ?? filter.Model,
            Clock.GetUtcNow(),
            status ?? filter.Status);

        // Pickers echo the value they were given back through their change callback: only a real change navigates.
        return next.ToQuery() == appliedQuery ? Task.CompletedTask : ApplyAsync(next, navigate: true);
    }

    private async Task ApplyAsync(UsageFilter next, bool navigate)
    {
        filter = next;
        appliedQuery = next.ToQuery();
        dateRange = new DateRange(next.From.ToDateTime(TimeOnly.MinValue), next.To.ToDateTime(TimeOnly.MinValue));
        if (navigate)
        {
            NavigateToState();
        }

        await LoadSummaryAsync();
        if (grid is not null)
        {
            await grid.ResetAsync();
        }
    }

    private void NavigateToState()
    {
        var query = filter.ToQuery() + (following ? "&live=1" : "");
        var target = Navigation.ToAbsoluteUri("usage?" + query).ToString();
        if (target != Navigation.Uri)
        {
            Navigation.NavigateTo(target, replace: true);
        }
    }

    private async Task LoadSummaryAsync()
    {
        // A newer filter may be applied while an older load runs: only the newest load's answer is shown.
        var version = ++loadVersion;
        var loaded = await Queries.SummaryAsync(userId, filter, stopping.Token);
        if (version == loadVersion)
        {
            summary = loaded;
        }
    }

    private Task<UsageRowsPage> LoadRowsAsync(RowsRequest request, CancellationToken cancellationToken) =>
        Queries.RowsAsync(userId, filter, request.Sort, request.Descending, request.Page, request.PageSize, cancellationToken);

    private async Task SetLiveAsync(bool on)
    {
        await FollowAsync(on);
        NavigateToState();
    }

    private async Task FollowAsync(bool on)
    {
        if (on == following)
        {
            return;
        }

        following = on;
        if (on && RendererInfo.IsInteractive)
        {
            live = LiveRefresh.Start(Changes, userId, LiveInterval, _ => InvokeAsync(RefreshAsync));
        }
        else if (!on && live is not null)
        {
            await live.DisposeAsync();
            live = null;
            refreshedAt = null;
        }
    }

    /// <summary>A live tick: re-read the totals and, when they moved, the grid too.</summary>
    private async Task RefreshAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        var before = summary;
        await LoadSummaryAsync();
        refreshedAt = Clock.GetUtcNow();
        if (grid is not null && (before is null || before.Requests != summary!.Requests || before.CostMicros != summary.CostMicros))
        {
            await grid.ReloadAsync();
        }

        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
        if (live is not null)
        {
            await live.DisposeAsync();
        }

        await stopping.CancelAsync();
        stopping.Dispose();
    }
}
