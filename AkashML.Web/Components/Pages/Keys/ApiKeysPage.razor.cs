using AkashML.Data.Keys;
using AkashML.Web.Keys;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// The API keys page: a server-paged grid of the user's keys and the dialogs that create, edit, roll and revoke them. A
/// new or rolled secret travels from the dialog that made it straight into the show-once dialog: this page never keeps
/// it in a field, so once that dialog closes nothing holds it.
/// </summary>
public sealed partial class ApiKeysPage : IDisposable
{
    private static readonly int[] PageSizes = [10, 25, 50];

    private readonly CancellationTokenSource _stopping = new();
    private MudDataGrid<ApiKey>? grid;
    private IReadOnlyList<ApiKey> _shown = [];
    private IReadOnlyDictionary<Guid, long> _spent = new Dictionary<Guid, long>();
    private string _userId = "";
    private string? search;
    private ApiKeyStatusFilter status = ApiKeyStatusFilter.All;
    private DateTimeOffset now;
    private bool loaded;

    [Inject]
    public required FreshScope<ApiKeyService> Keys { get; init; }

    [Inject]
    public required SignedInUser SignedInUser { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary><c>/keys?create</c> opens the create dialog (links from the overview and the docs).</summary>
    [SupplyParameterFromQuery(Name = "create")]
    public string? CreateRequested { get; set; }

    /// <summary>How often the open page re-reads "last used" and revocations of the keys it shows.</summary>
    [Parameter]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    private bool IsFiltered => !string.IsNullOrWhiteSpace(search) || status != ApiKeyStatusFilter.All;

    protected override async Task OnInitializedAsync()
    {
        now = Clock.GetUtcNow();
        _userId = await SignedInUser.GetIdAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive)
        {
            return;
        }

        _ = RefreshLoopAsync(_stopping.Token);
        if (CreateRequested is not null)
        {
            await CreateAsync();
        }
    }

    private async Task<GridData<ApiKey>> LoadPageAsync(GridState<ApiKey> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var query = new ApiKeyQuery(
            search,
            status,
            sort?.SortBy switch
            {
                nameof(ApiKey.Name) => ApiKeySort.Name,
                nameof(ApiKey.LastUsedAt) => ApiKeySort.LastUsed,
                nameof(ApiKey.ExpiresAt) => ApiKeySort.Expires,
                _ => ApiKeySort.Created,
            },
            sort?.Descending ?? false,
            state.Page,
            state.PageSize);
        now = Clock.GetUtcNow();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var page = await Keys.RunAsync(keys => keys.PageAsync(_userId, query, linked.Token));
        _spent = await Keys.RunAsync(keys => keys.SpentThisPeriodAsync(page.Items, linked.Token));
        _shown = page.Items;
        loaded = true;
        return new GridData<ApiKey> { Items = page.Items, TotalItems = page.Total };
    }

    private Task ReloadAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    private async Task SearchChangedAsync(string? value)
    {
        search = value;
        await ReloadAsync();
    }

    private async Task StatusChangedAsync(ApiKeyStatusFilter value)
    {
        status = value;
        await ReloadAsync();
    }

    /// <summary>
    /// Re-reads last use and revocation of the rows on screen (not the whole grid: no loading bar, no jump) so "last used"
    /// follows API traffic while the page is open; the relative times advance with it.
    /// </summary>
    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(RefreshShownAsync);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private async Task RefreshShownAsync()
    {
        var rows = _shown;
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var ids = rows.Select(k => k.Id).ToArray();
        var activity = (await Keys.RunAsync(keys => keys.ActivityAsync(_userId, ids, _stopping.Token))).ToDictionary(a => a.Id);
        foreach (var key in rows)
        {
            if (activity.TryGetValue(key.Id, out var latest))
            {
                key.LastUsedAt = latest.LastUsedAt;
                key.RevokedAt = latest.RevokedAt;
            }
        }

        _spent = await Keys.RunAsync(keys => keys.SpentThisPeriodAsync(rows, _stopping.Token));
        now = Clock.GetUtcNow();
        StateHasChanged();
    }

    private string Budget(ApiKey key) => KeyFormat.Budget(key, _spent.GetValueOrDefault(key.Id));

    private async Task CreateAsync()
    {
        var dialog = await Dialogs.ShowAsync<KeyEditorDialog>("Create an API key", KeyEditorDialog.Options);
        if (await dialog.Result is { Canceled: false, Data: IssuedSecret issued })
        {
            await ReloadAsync();
            await ShowSecretAsync(issued);
        }
    }

    private async Task EditAsync(ApiKey key)
    {
        var parameters = new DialogParameters<KeyEditorDialog> { { d => d.Editing, key } };
        var dialog = await Dialogs.ShowAsync<KeyEditorDialog>("Edit key", parameters, KeyEditorDialog.Options);
        if (await dialog.Result is { Canceled: false, Data: string message })
        {
            Snackbar.Add(message, Severity.Success);
            await ReloadAsync();
        }
    }

    private async Task RollAsync(ApiKey key)
    {
        var parameters = new DialogParameters<RollKeyDialog> { { d => d.Key, key } };
        var dialog = await Dialogs.ShowAsync<RollKeyDialog>("Roll key", parameters, RollKeyDialog.Options);
        if (await dialog.Result is { Canceled: false, Data: IssuedSecret issued })
        {
            await ReloadAsync();
            await ShowSecretAsync(issued);
        }
    }

    private async Task RevokeAsync(ApiKey key)
    {
        var parameters = new DialogParameters<RevokeKeyDialog> { { d => d.Key, key } };
        var dialog = await Dialogs.ShowAsync<RevokeKeyDialog>("Revoke key", parameters, RevokeKeyDialog.Options);
        if (await dialog.Result is { Canceled: false, Data: string message })
        {
            Snackbar.Add(message, Severity.Success);
            await ReloadAsync();
        }
    }

    /// <summary>Shows a secret once; it lives only in this call and the dialog, which forgets it as it closes.</summary>
    private async Task ShowSecretAsync(IssuedSecret issued)
    {
        var parameters = new DialogParameters<SecretDialog> { { d => d.Issued, issued } };
        var dialog = await Dialogs.ShowAsync<SecretDialog>(issued.Title, parameters, SecretDialog.Options);
        await dialog.Result;
        if (issued.Outcome is { } outcome)
        {
            Snackbar.Add(outcome, Severity.Info);
        }
    }

    private string RowClass(ApiKey key, int index) =>
        KeyStatuses.Of(key, now) is KeyStatus.Revoked or KeyStatus.Expired ? "am-key-inactive" : "";

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
