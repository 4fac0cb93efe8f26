using System.Diagnostics;
using System.Globalization;
using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using AkashML.Inference.Serving;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary><c>/admin/models</c>: the catalog with each model's state in <see cref="ModelHost"/>, and the runtime's health.</summary>
public sealed partial class AdminModels : IDisposable
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(2);

    private readonly CancellationTokenSource stopping = new();
    private readonly HashSet<string> loading = new(StringComparer.Ordinal);
    private IReadOnlyList<ModelDescriptor> models = [];
    private HashSet<string> loaded = [];

    [Inject] public required ModelHost Host { get; init; }

    [Inject] public required ModelCatalog Catalog { get; init; }

    [Inject] public required ISnackbar Snackbar { get; init; }

    private static bool RuntimeOk => OnnxRuntimeLibrary.IsSupported;

    private static string RuntimeProblem => OnnxRuntimeLibrary.NotSupportedReason ?? "not loaded";

    private static string RuntimeVersion => OnnxRuntimeLibrary.Version ?? "unknown version";

    private static string Providers => string.Join(", ", OnnxRuntimeLibrary.AvailableProviders);

    private string ModelsDirectory => Catalog.ModelsDirectory;

    protected override void OnInitialized() => Read();

    private void Read()
    {
        models = Host.List();
        loaded = Host.LoadedModels.ToHashSet(StringComparer.Ordinal);
    }

    private async Task LoadAsync(string modelId)
    {
        loading.Add(modelId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        timeout.CancelAfter(LoadTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await Host.GetAsync(modelId, timeout.Token);
            Snackbar.Add(string.Create(CultureInfo.InvariantCulture, $"Loaded {modelId} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms."), Severity.Success);
        }
        catch (ModelUnavailableException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            Snackbar.Add($"{modelId} did not load within {LoadTimeout.TotalMinutes:0} minutes; it keeps loading in the background.", Severity.Warning);
        }
        finally
        {
            loading.Remove(modelId);
        }

        Read();
    }

    private static string PerMillion(decimal usd) =>
        usd == 0 ? "Free" : "$" + usd.ToString("0.00##", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
