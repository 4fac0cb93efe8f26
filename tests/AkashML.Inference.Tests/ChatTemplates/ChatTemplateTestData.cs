using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>Turns JSON contexts into template variables, on the clock the reference renders were made with.</summary>
internal static class ChatTemplateTestData
{
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
