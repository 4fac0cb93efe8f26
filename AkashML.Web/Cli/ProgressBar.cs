using System.Diagnostics;
using System.Globalization;
using AkashML.Inference.Catalog.Hub;

namespace AkashML.Web.Cli;

/// <summary>
/// A one-line download progress bar redrawn with a carriage return on stderr (stdout stays for results), at most
/// ten times a second.
/// </summary>
internal sealed class ProgressBar(TextWriter writer) : IProgress<HubDownloadProgress>
{
    private const int BarWidth = 24;
    private const int MaxLine = 110;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _drawnAt;
    private int _drawnLength;
    private HubDownloadProgress? _last;
    private long _firstBytes = -1;

    public void Report(HubDownloadProgress value)
    {
        lock (_gate)
        {
            _last = value;
            if (_firstBytes < 0)
            {
                _firstBytes = value.BytesDone;
            }

            var now = _clock.Elapsed;
            if (_drawnAt is not { } drawn || now - drawn >= Interval)
            {
                Draw(value, now);
            }
        }
    }

    /// <summary>Draws the final state and ends the line (nothing if nothing was drawn).</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_last is { } last)
            {
                Draw(last, _clock.Elapsed);
            }

            if (_drawnLength > 0)
            {
                writer.WriteLine();
                writer.Flush();
                _drawnLength = 0;
            }

            _last = null;
        }
    }

    private void Draw(HubDownloadProgress value, TimeSpan now)
    {
        _drawnAt = now;
        var fraction = value.BytesTotal > 0 ? Math.Clamp(value.BytesDone / (double)value.BytesTotal, 0, 1) : 0;
        var filled = (int)Math.Round(fraction * BarWidth);
        var seconds = Math.Max(now.TotalSeconds, 0.001);
        var rate = Math.Max(0, value.BytesDone - _firstBytes) / seconds;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{fraction * 100,3:0}% [{new string('#', filled)}{new string('-', BarWidth - filled)}] {ModelCommands.FormatBytes(value.BytesDone)}/{ModelCommands.FormatBytes(value.BytesTotal)} {ModelCommands.FormatBytes((long)rate)}/s {value.FileNumber}/{value.FileCount} {value.CurrentFile}");
        if (line.Length > MaxLine)
        {
            line = line[..(MaxLine - 1)] + "…";
        }

        writer.Write("\r" + line.PadRight(_drawnLength));
        writer.Flush();
        _drawnLength = line.Length;
    }
}
