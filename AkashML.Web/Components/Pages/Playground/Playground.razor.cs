using System.Diagnostics;
using System.Text.Json;
using AkashML.Data.Keys;
using AkashML.Data.Presets;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Keys;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Playground;

/// <summary>
/// The playground, in the circuit: replies stream from the in-process gateway (<see cref="PlaygroundChat"/>: the same
/// limits, credits and usage records as the API) into one column per model; the conversation and settings live in
/// browser storage so a reload or a visit elsewhere keeps them.
/// </summary>
public sealed partial class Playground : IDisposable
{
    /// <summary>Re-render a streaming reply at most this often: enough to look live, without a render per token.</summary>
    private static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(40);

    private static readonly JsonSerializerOptions DraftJson = new(JsonSerializerDefaults.Web);

    private readonly CancellationTokenSource disposing = new();
    private readonly Dictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);
    private IReadOnlyList<ModelDescriptor> models = [];
    private IReadOnlyList<Preset> presets = [];
    private IReadOnlyList<ApiKey> keys = [];
    private PlaygroundSettings settings = new();
    private List<PlaygroundTurn> turns = [];
    private string userId = "";
    private string input = "";
    private string? warning;
    private bool ready;
    private bool disposed;
    private long lastRender;

    [Inject]
    public required IModelProvider Models { get; init; }

    [Inject]
    public required PresetService Presets { get; init; }

    [Inject]
    public required PlaygroundChat Chat { get; init; }

    [Inject]
    public required FreshScope<ApiKeyService> Keys { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required SignedInUser User { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [SupplyParameterFromQuery(Name = "model")]
    public string? ModelQuery { get; set; }

    [SupplyParameterFromQuery(Name = "preset")]
    public string? PresetQuery { get; set; }

    private bool Busy => running.Count > 0;

    private ModelDescriptor? Primary => settings.Model is { } id ? models.FirstOrDefault(m => m.Id == id) : null;

    /// <summary>The models answering: the chosen one, then (in compare mode) the others picked, each once.</summary>
    private List<ModelDescriptor> ActiveModels
    {
        get
        {
            var active = new List<ModelDescriptor>();
            if (Primary is { } primary)
            {
                active.Add(primary);
            }

            if (settings.Compare)
            {
                foreach (var id in settings.CompareModels)
                {
                    if (id is not null && models.FirstOrDefault(m => m.Id == id) is { } model && !active.Contains(model))
                    {
                        active.Add(model);
                    }
                }
            }

            return active;
        }
    }

    /// <summary>Problems of the parameters for the chosen model (shown beside each field).</summary>
    private IReadOnlyDictionary<string, string> Problems =>
        Primary is { } primary ? PlaygroundRequests.Problems(settings, primary) : new Dictionary<string, string>();

    /// <summary>Why Send is disabled when the parameters are wrong, for this model or a compared one with narrower ranges.</summary>
    private string? ProblemSummary
    {
        get
        {
            if (Problems.Count > 0)
            {
                return "Fix the parameters marked in red before sending: " + string.Join(" ", Problems.Values);
            }

            foreach (var model in ActiveModels.Skip(1))
            {
                if (PlaygroundRequests.Problems(settings, model) is { Count: > 0 } problems)
                {
                    return $"For {model.DisplayName}: " + string.Join(" ", problems.Values);
                }
            }

            return null;
        }
    }

    private bool CanSend => !Busy && !string.IsNullOrWhiteSpace(input) && ProblemSummary is null && ActiveModels.Count > 0 && NotAllowed is null;

    /// <summary>The key replies run as (null: the hidden playground key).</summary>
    private ApiKey? RunAs => settings.KeyId is { } id ? keys.FirstOrDefault(k => k.Id == id) : null;

    /// <summary>Whether the key replies run as may call <paramref name="model"/>.</summary>
    private bool Allowed(ModelDescriptor model) => RunAs?.AllowedModels is not { } allowed || allowed.Contains(model.Id, StringComparer.Ordinal);

    /// <summary>Why Send is off when an answering model is outside the chosen key's allow-list, or null.</summary>
    private string? NotAllowed => RunAs is { } key && ActiveModels.FirstOrDefault(m => !Allowed(m)) is { } model
        ? $"The key '{key.Name}' is not allowed to use {model.DisplayName}. Pick one of its models ({string.Join(", ", key.AllowedModels!)}) or run as another key."
        : null;

    /// <summary>The "run as" picker's value: the key id, or empty for the playground key.</summary>
    private string RunAsValue => settings.KeyId?.ToString() ?? "";

    /// <summary>A model's label in a picker: marked unavailable when the chosen key may not call it.</summary>
    private string PickerLabel(ModelDescriptor model) => Allowed(model) ? ModelLabel(model) : ModelLabel(model) + " · not allowed for this key";

    /// <summary>The picker's label: the smoke-test model says so, once.</summary>
    private static string ModelLabel(ModelDescriptor model) =>
        model.IsSmokeTest && !model.DisplayName.Contains("smoke test", StringComparison.OrdinalIgnoreCase)
            ? model.DisplayName + " · smoke test"
            : model.DisplayName;

    private string StorageKey => "akashml.playground." + userId;

    protected override async Task OnInitializedAsync()
    {
        userId = await User.GetIdAsync();
        models = Models.List();
        presets = await Presets.ListAsync(userId, disposing.Token);
        var now = Clock.GetUtcNow();
        keys = [.. (await Keys.RunAsync(k => k.ListAsync(userId, disposing.Token))).Where(k => k.RevokedAt is null && !(k.ExpiresAt <= now))];
        var start = models.FirstOrDefault(m => !m.IsSmokeTest) ?? models.FirstOrDefault();
        if (start is not null)
        {
            settings.Model = start.Id;
            PlaygroundRequests.ResetParameters(settings, start);
            DefaultCompareModels();
        }

        ApplyQuery();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        await LoadDraftAsync();
        ready = true;
        StateHasChanged();
    }

    /// <summary><c>?model=</c> and <c>?preset=</c> (from the Models and Presets pages) choose what to start with.</summary>
    private void ApplyQuery()
    {
        if (PresetQuery is { Length: > 0 } wanted)
        {
            var preset = presets.FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (preset is not null && Models.Find(preset.ModelId) is { } presetModel)
            {
                PlaygroundRequests.ApplyPreset(settings, preset, presetModel);
                return;
            }

            warning = preset is null ? $"There is no preset named '{wanted}'." : $"The preset '{wanted}' uses the model '{preset.ModelId}', which is not available.";
        }

        if (ModelQuery is { Length: > 0 } modelId)
        {
            if (Models.Find(modelId) is { } model)
            {
                settings.Model = model.Id;
                settings.Preset = null;
                PlaygroundRequests.AdoptModel(settings, model);
            }
            else
            {
                warning = $"The model '{modelId}' is not available; pick another one.";
            }
        }
    }

    private async Task LoadDraftAsync()
    {
        string? json;
        try
        {
            json = await JS.InvokeAsync<string?>("akashml.load", StorageKey);
        }
        catch (JSException)
        {
            return;
        }

        if (string.IsNullOrEmpty(json))
        {
            return;
        }

        PlaygroundDraft? draft;
        try
        {
            draft = JsonSerializer.Deserialize<PlaygroundDraft>(json, DraftJson);
        }
        catch (JsonException)
        {
            // A draft this version cannot read is dropped, not shown half-broken.
            return;
        }

        if (draft is not { Version: PlaygroundDraft.CurrentVersion })
        {
            return;
        }

        foreach (var reply in draft.Turns.SelectMany(t => t.Replies.Values).Where(r => r.IsRunning))
        {
            // The page went away mid-stream; the gateway settled it as stopped.
            reply.State = ReplyState.Stopped;
        }

        turns = draft.Turns;
        var hasQuery = PresetQuery is { Length: > 0 } || ModelQuery is { Length: > 0 };
        if (!hasQuery && draft.Settings.Model is { } saved && Models.Find(saved) is { } model)
        {
            settings = draft.Settings;
            settings.Model = model.Id;
            while (settings.CompareModels.Count < PlaygroundSettings.MaxCompared - 1)
            {
                settings.CompareModels.Add(null);
            }

            PlaygroundRequests.AdoptModel(settings, model);
        }

        if (settings.KeyId is { } keyId && keys.All(k => k.Id != keyId))
        {
            // The key was revoked, expired or deleted since: back to the playground key.
            settings.KeyId = null;
        }
    }

    private async Task SaveDraftAsync()
    {
        if (!ready || disposed)
        {
            return;
        }

        var json = JsonSerializer.Serialize(new PlaygroundDraft { Settings = settings, Turns = turns }, DraftJson);
        try
        {
            await JS.InvokeAsync<bool>("akashml.save", StorageKey, json);
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or TaskCanceledException)
        {
            // Storage full, turned off or the circuit is gone: the conversation just is not kept.
        }
    }

    private void DefaultCompareModels()
    {
        settings.CompareModels[0] ??= models.FirstOrDefault(m => m.Id != settings.Model)?.Id;
    }

    private async Task OnSettingsChangedAsync() => await SaveDraftAsync();

    private async Task SelectModelAsync(string? id)
    {
        if (id is null || Models.Find(id) is not { } model)
        {
            return;
        }

        settings.Model = model.Id;
        settings.Preset = null;
        PlaygroundRequests.AdoptModel(settings, model);
        for (var i = 0; i < settings.CompareModels.Count; i++)
        {
            if (settings.CompareModels[i] == model.Id)
            {
                settings.CompareModels[i] = null;
            }
        }

        DefaultCompareModels();
        await SaveDraftAsync();
    }

    private async Task SelectRunAsAsync(string? value)
    {
        settings.KeyId = Guid.TryParse(value, out var id) && keys.Any(k => k.Id == id) ? id : null;
        await SaveDraftAsync();
    }

    private async Task SelectPresetAsync(string? name)
    {
        if (name is null)
        {
            settings.Preset = null;
        }
        else if (presets.FirstOrDefault(p => p.Name == name) is { } preset && Models.Find(preset.ModelId) is { } model)
        {
            PlaygroundRequests.ApplyPreset(settings, preset, model);
            DefaultCompareModels();
        }
        else
        {
            Snackbar.Add($"The preset '{name}' uses a model that is not available.", Severity.Warning);
        }

        await SaveDraftAsync();
    }

    private async Task SetSystemPromptAsync(string? value)
    {
        settings.SystemPrompt = value ?? "";
        await SaveDraftAsync();
    }

    private async Task ResetParametersAsync()
    {
        if (Primary is { } primary)
        {
            PlaygroundRequests.ResetParameters(settings, primary);
            await SaveDraftAsync();
        }
    }

    private async Task SetCompareAsync(bool on)
    {
        settings.Compare = on && models.Count > 1;
        DefaultCompareModels();
        await SaveDraftAsync();
    }

    private async Task SetCompareModelAsync(int slot, string? id)
    {
        settings.CompareModels[slot] = id;
        await SaveDraftAsync();
    }

    private async Task OnComposerKeyUpAsync(KeyboardEventArgs args)
    {
        // Enter sends, Shift+Enter is a new line. Handled on key up: by then the typed newline has reached the value,
        // so it is trimmed here instead of coming back after the box was cleared.
        if (args is { Key: "Enter", ShiftKey: false } && !args.IsComposing)
        {
            await SendAsync();
        }
    }

    private async Task SendAsync()
    {
        var text = input.Trim();
        if (!CanSend)
        {
            return;
        }

        input = "";
        turns.Add(new PlaygroundTurn { User = text });
        await RunTurnAsync(turns.Count - 1, ActiveModels);
    }

    private async Task ResendAsync((int Index, string Text) edit)
    {
        if (Busy || edit.Text.Length == 0 || edit.Index < 0 || edit.Index >= turns.Count)
        {
            return;
        }

        turns.RemoveRange(edit.Index, turns.Count - edit.Index);
        turns.Add(new PlaygroundTurn { User = edit.Text });
        await RunTurnAsync(turns.Count - 1, ActiveModels);
    }

    private async Task RegenerateAsync(string modelId)
    {
        if (Busy || turns.Count == 0 || ProblemSummary is not null || models.FirstOrDefault(m => m.Id == modelId) is not { } model)
        {
            return;
        }

        await RunTurnAsync(turns.Count - 1, [model]);
    }

    /// <summary>Every model answers turn <paramref name="index"/> at once; each column fills in as its own tokens arrive.</summary>
    private async Task RunTurnAsync(int index, IReadOnlyList<ModelDescriptor> answering)
    {
        var runs = answering.Select(model => RunReplyAsync(index, model)).ToList();
        await SaveDraftAsync();
        await Task.WhenAll(runs);
        await SaveDraftAsync();
    }

    private async Task RunReplyAsync(int index, ModelDescriptor model)
    {
        var reply = new PlaygroundReply();
        turns[index].Replies[model.Id] = reply;
        var body = PlaygroundRequests.ChatBody(model, settings, PlaygroundRequests.Messages(settings, turns, index, model.Id));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(disposing.Token);
        running[model.Id] = stop;
        try
        {
            await Chat.RunAsync(userId, settings.KeyId, body, reply, RenderSoonAsync, stop.Token);
        }
        finally
        {
            running.Remove(model.Id);
            stop.Dispose();
            if (!disposed)
            {
                StateHasChanged();
            }
        }
    }

    private Task RenderSoonAsync()
    {
        if (!disposed && Stopwatch.GetElapsedTime(lastRender) >= RenderInterval)
        {
            lastRender = Stopwatch.GetTimestamp();
            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops every streaming reply within one decode step; what was produced stays and is billed.</summary>
    private void Stop()
    {
        foreach (var stop in running.Values)
        {
            stop.Cancel();
        }
    }

    private async Task ClearAsync()
    {
        Stop();
        turns = [];
        await SaveDraftAsync();
    }

    private async Task ViewCodeAsync(string modelId)
    {
        if (models.FirstOrDefault(m => m.Id == modelId) is not { } model)
        {
            return;
        }

        var messages = turns.Count > 0
            ? PlaygroundRequests.Messages(settings, turns, turns.Count - 1, model.Id)
            : PlaygroundRequests.Messages(settings, [new PlaygroundTurn { User = string.IsNullOrWhiteSpace(input) ? "Hello!" : input.Trim() }], 0, model.Id);
        var parameters = new DialogParameters<ViewCodeDialog>
        {
            { d => d.BaseUrl, new Uri(Navigation.BaseUri) },
            { d => d.Body, PlaygroundRequests.ChatBody(model, settings, messages) },
            { d => d.ModelName, model.DisplayName },
        };
        await Dialogs.ShowAsync<ViewCodeDialog>("View code", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    private async Task SavePresetAsync()
    {
        if (Primary is not { } primary)
        {
            return;
        }

        var parameters = new DialogParameters<SavePresetDialog>
        {
            { d => d.UserId, userId },
            { d => d.Settings, settings },
            { d => d.Model, primary },
            { d => d.SuggestedName, settings.Preset is { } from ? from + "-2" : null },
        };
        var dialog = await Dialogs.ShowAsync<SavePresetDialog>("Save as preset", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false, Data: string name })
        {
            presets = await Presets.ListAsync(userId, disposing.Token);
            settings.Preset = name;
            await SaveDraftAsync();
            Snackbar.Add($"Saved preset '{name}'. Use it from the API as @preset/{name}.", Severity.Success);
        }
    }

    public void Dispose()
    {
        // The circuit is going (or the person left the page): stop generating; the gateway settles what was produced.
        disposed = true;
        disposing.Cancel();
        disposing.Dispose();
    }
}
