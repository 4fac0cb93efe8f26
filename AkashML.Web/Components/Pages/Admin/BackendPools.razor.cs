using System.Globalization;
using AkashML.Web.Backends;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary>
/// Each routed model's backends with health, load, recent error rate and median latency; drain stops new requests to
/// a backend (those in flight finish), undrain lets them back. Re-renders when a pool changes and every few seconds.
/// </summary>
public sealed partial class BackendPools : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private Timer? _timer;

    [Inject] public required BackendRouter Router { get; init; }

    [Inject] public required BackendDrains Drains { get; init; }

    [Inject] public required ILogger<BackendPools> Logger { get; init; }

    /// <summary>Why the last drain or undrain could not be saved (shown above the tables).</summary>
    private string? _error;

    protected override void OnInitialized()
    {
        foreach (var pool in Router.Pools)
        {
            pool.Changed += OnChanged;
        }

        if (Router.Pools.Count > 0)
        {
            _timer = new Timer(_ => OnChanged(), null, Refresh, Refresh);
        }
    }

    private void OnChanged() => _ = InvokeAsync(StateHasChanged);

    /// <summary>Drain state is shared by every replica through the database; this one applies the change at once.</summary>
    private async Task Toggle(BackendPool pool, BackendState backend)
    {
        try
        {
            if (backend.Drained)
            {
                await Drains.UndrainAsync(pool, backend, CancellationToken.None);
            }
            else
            {
                await Drains.DrainAsync(pool, backend, CancellationToken.None);
            }

            _error = null;
        }
        catch (Exception ex) when (ex is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            Logger.LogWarning(ex, "Saving the drain state of backend {Index} of {Model} failed", backend.Index, pool.ModelId);
            _error = $"The drain state of backend {backend.Index} of {pool.ModelId} could not be saved: {ex.Message}";
        }
    }

    private static string Health(BackendState backend) => backend switch
    {
        { Entry.Enabled: false } => "Disabled",
        { Drained: true } => "Drained",
        { Healthy: true } => "Healthy",
        _ => "Unhealthy",
    };

    private static Color HealthColor(BackendState backend) => backend switch
    {
        { Entry.Enabled: false } or { Drained: true } => Color.Default,
        { Healthy: true } => Color.Success,
        _ => Color.Error,
    };

    private static string Percent(double? rate) => rate is { } r ? r.ToString("0.#%", CultureInfo.InvariantCulture) : "—";

    private static string Milliseconds(int? ms) => ms is { } m ? m.ToString("#,0", CultureInfo.InvariantCulture) + " ms" : "—";

    public void Dispose()
    {
        _timer?.Dispose();
        foreach (var pool in Router.Pools)
        {
            pool.Changed -= OnChanged;
        }
    }
}
