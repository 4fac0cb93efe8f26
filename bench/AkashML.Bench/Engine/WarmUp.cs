using System.Diagnostics;

namespace AkashML.Bench.Engine;

/// <summary>
/// Warm-up before a benchmark's measured runs. .NET's tiered JIT first runs methods unoptimised and recompiles the hot
/// ones (with dynamic PGO) only after they were called 30 times and no new tier-0 code appeared for 100 ms, loops switch
/// over by on-stack replacement, and ONNX Runtime grows its arenas on the first runs. One warm-up run of a 40 ms workload
/// ends before most of that, which made short <c>--runs 5</c> figures swing several-fold; so the workload repeats until
/// its run time settles, within a bound.
/// </summary>
public static class WarmUp
{
    /// <summary>At most this many warm-up runs.</summary>
    public const int MaxRuns = 30;

    /// <summary>At least this much warm-up (seconds of the runs themselves): several times the JIT's 100 ms delay.</summary>
    public const double MinSeconds = 0.5;

    /// <summary>At most this much warm-up (seconds), so a large model's slow runs stop after a few.</summary>
    public const double MaxSeconds = 10;

    /// <summary>Settled: the last <see cref="SettledRuns"/> run times are within this fraction of each other.</summary>
    public const double Tolerance = 0.10;

    public const int SettledRuns = 3;

    /// <summary>As <see cref="UntilSettled(Func{double})"/>, timing each call of <paramref name="run"/> itself.</summary>
    public static int UntilSettledTimed(Action run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return UntilSettled(() =>
        {
            var started = Stopwatch.GetTimestamp();
            run();
            return Stopwatch.GetElapsedTime(started).TotalSeconds;
        });
    }

    /// <summary>
    /// Calls <paramref name="run"/>, which does one run of the workload and returns how long it took in seconds, until
    /// the run time settles or a bound is reached. Returns how many warm-up runs it made.
    /// </summary>
    public static int UntilSettled(Func<double> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var recent = new Queue<double>(SettledRuns);
        var total = 0.0;
        var runs = 0;
        while (runs < MaxRuns && total < MaxSeconds)
        {
            var seconds = run();
            runs++;
            total += seconds;
            if (recent.Count == SettledRuns)
            {
                recent.Dequeue();
            }

            recent.Enqueue(seconds);
            if (total >= MinSeconds && recent.Count == SettledRuns && recent.Max() <= recent.Min() * (1 + Tolerance))
            {
                break;
            }
        }

        return runs;
    }
}
