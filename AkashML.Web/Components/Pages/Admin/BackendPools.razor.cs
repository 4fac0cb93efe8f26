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

    private static void Toggle(BackendPool pool, BackendState backend)
    {
        if (backend.Drained)
        {
            pool.Undrain(backend.Index);
        }
        else
        {
            pool.Drain(backend.Index);
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
