using System.Text.Json.Nodes;
using AkashML.Web.Playground;

namespace AkashML.Web.Components.Pages.Playground;

/// <summary>What the playground script starts from: the catalog, the person's presets and what the URL asked for.</summary>
public sealed record PlaygroundData(
    string BaseUrl,
    string Endpoint,
    IReadOnlyList<PlaygroundModel> Models,
    IReadOnlyList<PlaygroundPreset> Presets,
    PlaygroundStart Initial);

public sealed record PlaygroundModel(
    string Id,
    string Name,
    string Description,
    int ContextLength,
    int? MaxOutputTokens,
    decimal InputPrice,
    decimal OutputPrice,
    bool SmokeTest,
    bool Loaded,
    IReadOnlyList<SamplingParameter> Parameters);

public sealed record PlaygroundPreset(string Name, string Model, string? System, JsonObject Parameters);

/// <summary>The model and preset to open with (<c>?model=</c>, <c>?preset=</c>); a warning when either was not found.</summary>
public sealed record PlaygroundStart(string? Model, string? Preset, string? Warning);
