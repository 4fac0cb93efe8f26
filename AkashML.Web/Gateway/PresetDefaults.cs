using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Data.Presets;
using AkashML.Web.Presets;

namespace AkashML.Web.Gateway;

/// <summary>
/// Resolves <c>model: "@preset/&lt;name&gt;"</c> on the APIs: the caller's preset supplies the model, and its parameters
/// and system prompt become defaults merged into the request body before the handler reads it, so any field the
/// request sets itself wins. A singleton: each lookup reads the presets in a scope of its own.
/// </summary>
public sealed class PresetDefaults(IServiceScopeFactory scopes)
{
    /// <summary>Merges the preset into <paramref name="body"/> and returns the model id it names (404 when there is no such preset).</summary>
    public async Task<string> ApplyAsync(string userId, ApiSurface surface, string name, JsonBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        Preset? preset;
        await using (var scope = scopes.CreateAsyncScope())
        {
            preset = await scope.ServiceProvider.GetRequiredService<PresetService>().FindByNameAsync(userId, name, cancellationToken);
        }

        _ = preset ?? throw new ApiException(StatusCodes.Status404NotFound, ApiErrorKind.NotFound,
                $"The preset '{name}' does not exist (model '{PresetNames.ToModel(name)}'). Create it on the Presets page of the dashboard.",
                "model", "preset_not_found");
        ApplyDefaults(preset, surface, body.Root);
        body.Changed();
        return preset.ModelId;
    }

    /// <summary>
    /// Writes the preset's values into <paramref name="root"/> where the request has none. Chat requests get the system
    /// prompt as a leading system message unless they bring their own; Anthropic requests get it as <c>system</c>.
    /// </summary>
    public static void ApplyDefaults(Preset preset, ApiSurface surface, JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(root);
        root["model"] = preset.ModelId;
        var anthropic = surface == ApiSurface.Anthropic;
        foreach (var (name, value) in PresetService.Parameters(preset))
        {
            if (value is null || (anthropic ? AnthropicValue(name, value) : OpenAiValue(name, root, value)) is not { } field)
            {
                continue;
            }

            if (!root.ContainsKey(field.Name) || root[field.Name] is null)
            {
                root[field.Name] = field.Value;
            }
        }

        if (string.IsNullOrEmpty(preset.SystemPrompt))
        {
            return;
        }

        if (anthropic)
        {
            if (root["system"] is null)
            {
                root["system"] = preset.SystemPrompt;
            }
        }
        else if (root["messages"] is JsonArray messages && !messages.Any(IsSystemMessage))
        {
            messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = preset.SystemPrompt });
        }
    }

    private static (string Name, JsonNode Value)? OpenAiValue(string name, JsonObject root, JsonNode value) =>
        // A request that sets max_completion_tokens has its own answer length; max_tokens would be ignored anyway.
        name == SamplingParameters.MaxTokens && root["max_completion_tokens"] is not null ? null : (name, value.DeepClone());

    /// <summary>The Messages API has fewer sampling fields, names stop sequences differently and caps temperature at 1.</summary>
    private static (string Name, JsonNode Value)? AnthropicValue(string name, JsonNode value) => name switch
    {
        SamplingParameters.Temperature when value is JsonValue t && t.GetValueKind() == JsonValueKind.Number =>
            (name, JsonValue.Create(Math.Min(t.GetValue<double>(), 1.0))),
        SamplingParameters.TopP or SamplingParameters.TopK or SamplingParameters.MaxTokens => (name, value.DeepClone()),
        SamplingParameters.Stop => ("stop_sequences", value.DeepClone()),
        _ => null,
    };

    private static bool IsSystemMessage(JsonNode? message) =>
        message is JsonObject m && m["role"] is JsonValue role && role.GetValueKind() == JsonValueKind.String
        && role.GetValue<string>() is "system" or "developer";
}
