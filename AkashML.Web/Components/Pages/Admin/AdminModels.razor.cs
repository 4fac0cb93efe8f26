using System.Diagnostics;
using System.Globalization;
using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using AkashML.Inference.Serving;
using AkashML.Web.Components.Account;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary><c>/admin/models</c>: the catalog with each model's state in <see cref="ModelHost"/>, and the runtime's health.</summary>
public sealed partial class AdminModels
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(2);

    [Inject] public required ModelHost Host { get; init; }

    [Inject] public required ModelCatalog Catalog { get; init; }

    [Inject] internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    private IReadOnlyList<ModelDescriptor> Models { get; set; } = [];

    private HashSet<string> Loaded { get; set; } = [];

    private static bool RuntimeOk => OnnxRuntimeLibrary.IsSupported;

    private static string RuntimeProblem => OnnxRuntimeLibrary.NotSupportedReason ?? "not loaded";

    private static string RuntimeVersion => OnnxRuntimeLibrary.Version ?? "unknown version";

    private static string Providers => string.Join(", ", OnnxRuntimeLibrary.AvailableProviders);

    private string ModelsDirectory => Catalog.ModelsDirectory;

    protected override void OnInitialized()
    {
        Models = Host.List();
        Loaded = Host.LoadedModels.ToHashSet(StringComparer.Ordinal);
    }

    private async Task LoadAsync(string modelId)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
        timeout.CancelAfter(LoadTimeout);
        var started = Stopwatch.GetTimestamp();
        string message;
        try
        {
            await Host.GetAsync(modelId, timeout.Token);
            message = string.Create(CultureInfo.InvariantCulture, $"Loaded {modelId} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms.");
        }
        catch (ModelUnavailableException ex)
        {
            message = "Error: " + ex.Message;
        }
        catch (OperationCanceledException) when (!HttpContext.RequestAborted.IsCancellationRequested)
        {
            message = $"Error: {modelId} did not load within {LoadTimeout.TotalMinutes:0} minutes; it keeps loading in the background.";
        }

        RedirectManager.RedirectToWithStatus("admin/models", message, HttpContext);
    }

    private static string PerMillion(decimal usd) =>
        usd == 0 ? "Free" : "$" + usd.ToString("0.00##", CultureInfo.InvariantCulture);
}
