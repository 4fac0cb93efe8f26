using System.Globalization;
using AkashML.Bench.Engine;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench binding --model DIR|ID [--steps 255] [--rounds 15] [--json]</c>: decode steps per second through our C-API
/// binding and through the ONNX Runtime package's managed binding, see <see cref="BindingBenchmark"/>.
/// </summary>
internal static class BindingBench
{
    public static int Run(VerbArguments arguments, string folder)
    {
        BindingBenchmarkResult result;
        try
        {
            result = BindingBenchmark.Run(folder, arguments.PositiveInt("steps", 255), arguments.PositiveInt("rounds", 15));
        }
        catch (NotSupportedException ex)
        {
            throw new CommandLineException(ex.Message);
        }

        if (arguments.Switch("json"))
        {
            JsonReport.Write(writer =>
            {
                writer.WriteString("model", result.Model);
                writer.WriteNumber("steps", result.Steps);
                writer.WriteNumber("rounds", result.Rounds);
                SpreadReport.Write(writer, "ours_steps_per_s", result.OursWall);
                SpreadReport.Write(writer, "managed_steps_per_s", result.ManagedWall);
                SpreadReport.Write(writer, "ours_steps_per_cpu_s", result.OursCpu);
                SpreadReport.Write(writer, "managed_steps_per_cpu_s", result.ManagedCpu);
                writer.WriteNumber("ours_over_managed", Math.Round(result.WallRatio, 3));
                writer.WriteNumber("ours_over_managed_cpu", Math.Round(result.CpuRatio, 3));
            });
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model            {result.Model} ({result.KvType} KV, vocab {result.VocabSize})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload         {result.Steps} decode steps x {result.Rounds} rounds, bindings alternating; steps/s p25 / median / p75"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall   ours      {SpreadReport.Format(result.OursWall)}  managed {SpreadReport.Format(result.ManagedWall)}  ours/managed {result.WallRatio:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu    ours      {SpreadReport.Format(result.OursCpu)}  managed {SpreadReport.Format(result.ManagedCpu)}  ours/managed {result.CpuRatio:0.000}"));
        return 0;
    }
}
