using System.Text.Json;

namespace AkashML.Bench.Cli;

/// <summary>A bench's <c>--json</c> output: one JSON object on one line of stdout, for scripts.</summary>
internal static class JsonReport
{
    public static void Write(Action<Utf8JsonWriter> writeProperties)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }
}
