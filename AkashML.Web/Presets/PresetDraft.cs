using System.Text.Json.Nodes;

namespace AkashML.Web.Presets;

/// <summary>What a person submits for a preset, before validation.</summary>
public sealed record PresetDraft(string? Name, string? ModelId, string? SystemPrompt, JsonObject Parameters);
