using System.Globalization;
using System.Security.Claims;
using AkashML.Web.Components.Layout;
using AkashML.Web.Components.Pages.Usage;
using AkashML.Web.Shell;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages;

/// <summary>
/// The overview: balance, spend today and over the week, requests today, top models, the last requests and the
/// getting-started checklist, all read from real state and re-read when the account changes (the change feed, and a
/// poll for changes made by another process).
/// </summary>
public sealed partial class Home : IAsyncDisposable
{
    /// <summary>How often the overview re-reads for changes this process did not publish.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private const long LowBalanceMicros = AppBarBalance.LowBalanceMicros;

    private readonly CancellationTokenSource stopping = new();
    private readonly BarChartOptions weekOptions = new() { ShowLegend = false, MaxNumYAxisTicks = 5 };
    private string userId = "";
    private string email = "";
    private long? balance;
    private OverviewSnapshot? snapshot;
    private OnboardingState? onboarding;
    private List<ChartSeries<double>> weekSpend = [];
    private string[] weekLabels = [];
    private LiveRefresh? live;
    private MoneyScale weekScale = MoneyScale.For(0);

    [Inject]
    public required SignedInUser User { get; init; }

    [Inject]
    public required OverviewQueries Overview { get; init; }

    [Inject]
    public required OnboardingProgress Onboarding { get; init; }

    [Inject]
    public required BalanceReader Balances { get; init; }

    [Inject]
    public required AccountChanges Changes { get; init; }

    protected override async Task OnInitializedAsync()
    {
        var principal = await User.GetPrincipalAsync();
        userId = await User.GetIdAsync();
        email = principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity?.Name ?? "";
        await LoadAsync(stopping.Token);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            live = LiveRefresh.Start(Changes, userId, RefreshInterval, cancellationToken => InvokeAsync(async () =>
            {
                await LoadAsync(cancellationToken);
                StateHasChanged();
            }));
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        balance = await Balances.GetUsableMicrosAsync(userId, cancellationToken);
        onboarding = await Onboarding.GetAsync(userId, cancellationToken);
        snapshot = await Overview.GetAsync(userId, cancellationToken);
        weekLabels = [.. snapshot.LastSevenDays.Select(p => p.Bucket.UtcDateTime.ToString("ddd", CultureInfo.InvariantCulture))];
        weekScale = MoneyScale.For(snapshot.LastSevenDays.Max(p => p.CostMicros));
        weekOptions.YAxisFormat = weekScale.Format;
        weekSpend = [new() { Name = "Spend", Data = snapshot.LastSevenDays.Select(p => p.CostMicros / (double)weekScale.MicrosPerUnit).ToArray() }];
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
