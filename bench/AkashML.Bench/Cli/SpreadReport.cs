using System.Globalization;
using System.Text.Json;
using AkashML.Bench.Engine;

namespace AkashML.Bench.Cli;

/// <summary>How the bench verbs print a <see cref="Spread"/>: "p25 / median / p75" in text, an object in JSON.</summary>
internal static class SpreadReport
{
    public static string Format(Spread spread, string format = "0") =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{spread.P25.ToString(format, CultureInfo.InvariantCulture),8} / {spread.Median.ToString(format, CultureInfo.InvariantCulture),8} / {spread.P75.ToString(format, CultureInfo.InvariantCulture),8}");

    public static void Write(Utf8JsonWriter writer, string name, Spread spread)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("p25", Math.Round(spread.P25, 3));
        writer.WriteNumber("median", Math.Round(spread.Median, 3));
        writer.WriteNumber("p75", Math.Round(spread.P75, 3));
        writer.WriteEndObject();
    }
}
