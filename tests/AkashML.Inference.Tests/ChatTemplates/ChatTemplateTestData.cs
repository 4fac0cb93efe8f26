using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>Locates ../shared test data (or AKASHML_SHARED_DIR) and turns JSON contexts into template variables.</summary>
internal static class ChatTemplateTestData
{
    public static string? SharedDirectory => SharedTestData.Directory;

    public static string? ChatTemplatesDirectory =>
        SharedDirectory is { } shared && Directory.Exists(Path.Combine(shared, "chat_templates")) ? Path.Combine(shared, "chat_templates") : null;

    public static string? ModelsDirectory =>
        SharedDirectory is { } shared && Directory.Exists(Path.Combine(shared, "models")) ? Path.Combine(shared, "models") : null;

    /// <summary>The clock the reference renders were made with: 2025-01-15 12:00 UTC.</summary>
    public static TimeProvider FrozenClock { get; } = new FixedTimeProvider(new DateTimeOffset(2025, 1, 15, 12, 0, 0, TimeSpan.Zero));


    /// <summary>Top-level template variables from a JSON context object (messages, tools, bos_token...).</summary>
    public static Dictionary<string, object?> Variables(JsonObject context) =>
        context.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone(), StringComparer.Ordinal);

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}

/// <summary>A theory that is skipped, with the reason, when ../shared/chat_templates is absent.</summary>
public sealed class ChatTemplatesTheoryAttribute : TheoryAttribute
{
    public ChatTemplatesTheoryAttribute()
    {
        if (ChatTemplateTestData.ChatTemplatesDirectory is null)
        {
            Skip = "shared/chat_templates not found beside the repository (or via AKASHML_SHARED_DIR)";
        }
    }
}
