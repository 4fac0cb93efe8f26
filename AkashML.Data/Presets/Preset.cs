using AkashML.Data.Identity;

namespace AkashML.Data.Presets;

/// <summary>
/// A saved model setup: a model, sampling parameters and a system prompt under a name its owner picks. The playground
/// loads it; the APIs accept it as <c>model: "@preset/&lt;name&gt;"</c>, its values being defaults the request overrides.
/// </summary>
public sealed class Preset
{
    public const int MaxNameLength = 64;

    public const int MaxParametersLength = 4000;

    public const int MaxSystemPromptLength = 32_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public ApplicationUser? User { get; set; }

    /// <summary>Unique per owner; a slug, because it is written into <c>@preset/&lt;name&gt;</c>.</summary>
    public required string Name { get; set; }

    public required string ModelId { get; set; }

    /// <summary>A JSON object of OpenAI-named sampling parameters, e.g. <c>{"temperature":0.7,"stop":["\n\n"]}</c>.</summary>
    public string ParametersJson { get; set; } = "{}";

    public string? SystemPrompt { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}
