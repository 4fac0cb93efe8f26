using System.Globalization;
using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>Python/C <c>strftime</c> formatting (C locale) for the <c>strftime_now</c> template function.</summary>
internal static class Strftime
{
    public static string Format(DateTimeOffset time, string format)
    {
        var c = CultureInfo.InvariantCulture;
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var code = format[++i];
            var noPad = false;
            if (code == '-' && i + 1 < format.Length)
            {
                noPad = true;
                code = format[++i];
            }

            string Pad(int value, int width) => noPad ? value.ToString(c) : value.ToString(new string('0', width), c);

            var hour12 = time.Hour % 12 == 0 ? 12 : time.Hour % 12;
            builder.Append(code switch
            {
                'a' => time.ToString("ddd", c),
                'A' => time.ToString("dddd", c),
                'b' or 'h' => time.ToString("MMM", c),
                'B' => time.ToString("MMMM", c),
                'c' => time.ToString("ddd MMM ", c) + time.Day.ToString(c).PadLeft(2) + time.ToString(" HH:mm:ss yyyy", c),
                'd' => Pad(time.Day, 2),
                'e' => time.Day.ToString(c).PadLeft(2),
                'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", c),
                'H' => Pad(time.Hour, 2),
                'I' => Pad(hour12, 2),
                'j' => Pad(time.DayOfYear, 3),
                'm' => Pad(time.Month, 2),
                'M' => Pad(time.Minute, 2),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'S' => Pad(time.Second, 2),
                'u' => ((int)time.DayOfWeek == 0 ? 7 : (int)time.DayOfWeek).ToString(c),
                'w' => ((int)time.DayOfWeek).ToString(c),
                'y' => Pad(time.Year % 100, 2),
                'Y' => time.Year.ToString(c),
                'z' => (time.Offset < TimeSpan.Zero ? "-" : "+") + time.Offset.Duration().ToString("hhmm", c),
                'Z' => time.Offset == TimeSpan.Zero ? "UTC" : string.Empty,
                'F' => time.ToString("yyyy-MM-dd", c),
                'T' => time.ToString("HH:mm:ss", c),
                'D' => time.ToString("MM/dd/yy", c),
                'x' => time.ToString("MM/dd/yy", c),
                'X' => time.ToString("HH:mm:ss", c),
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => "%" + (noPad ? "-" : string.Empty) + code,
            });
        }

        return builder.ToString();
    }
}
