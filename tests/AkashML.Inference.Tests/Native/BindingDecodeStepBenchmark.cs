using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Conformance;
using AkashML.Tests.SharedFolder;
using Xunit.Abstractions;
using Managed = Microsoft.ML.OnnxRuntime;
using ManagedElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace AkashML.Inference.Tests.Native;

/// <summary>
/// The decode step through our C-API binding and through the package's managed binding (Microsoft.ML.OnnxRuntime),
/// same library, same graph, same work per step: wrap input_ids / attention_mask / position_ids over managed arrays,
/// allocate logits and presents [1, kv heads, length, head size] with ORT's allocator, run, argmax fp32 logits, hand
/// the presents over as the next pasts. Sessions use ORT's default options but one intra-op thread in both (the run
/// happens on the calling thread, so a busy shared machine's thread-pool spinning does not decide the figure). Rounds
/// alternate between the bindings; the figures are median (p25–p75) decode steps per second of wall time and of the
/// process's CPU time (steadier when other work shares the cores). Opt-in: AKASHML_BENCH=1.
/// </summary>
public sealed class BindingDecodeStepBenchmark(ConformanceModels models, ITestOutputHelper output) : IClassFixture<ConformanceModels>
{
    private const int Steps = 255;
    private const int Rounds = 15;

    [BenchmarkTheory]
    [InlineData(ConformanceModels.TinyRandom)]
    [InlineData(ConformanceModels.Stories260KFp32)]
    [InlineData(ConformanceModels.Stories260KInt4)]
    [InlineData("shared/tiny-random-LlamaForCausalLM-fp16")]
    public void Decode_step_through_both_bindings(string name)
    {
        var folder = models.Folder(name);
        using var model = Model.Load(folder);
        var signature = model.Signature;
        Assert.All(
            new[] { signature.InputIdsType, signature.AttentionMaskType, signature.PositionIdsType },
            type => Assert.True(type is TensorElementType.Int64 or TensorElementType.Undefined, "the benchmark feeds int64 ids"));
        using var ourOptions = new OrtSessionOptions();
        ourOptions.SetIntraOpThreads(1);
        using var ours = OrtInferenceSession.Create(model.ModelPath, ourOptions);
        using var managedOptions = new Managed.SessionOptions { IntraOpNumThreads = 1 };
        using var managed = new Managed.InferenceSession(model.ModelPath, managedOptions);

        var ourWall = new List<double>();
        var ourCpu = new List<double>();
        var managedWall = new List<double>();
        var managedCpu = new List<double>();
        OurRun(model, ours);
        ManagedRun(model, managed);
        for (var round = 0; round < Rounds; round++)
        {
            Measure(() => OurRun(model, ours), ourWall, ourCpu);
            Measure(() => ManagedRun(model, managed), managedWall, managedCpu);
        }

        output.WriteLine($"{name} ({signature.KvType} KV, vocab {model.VocabSize}), {Steps} decode steps x {Rounds} rounds, steps/s median (p25-p75):");
        output.WriteLine(Line("wall", ourWall, managedWall));
        output.WriteLine(Line("cpu ", ourCpu, managedCpu));
    }

    private static void Measure(Func<double> run, List<double> wall, List<double> cpu)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var seconds = run();
        process.Refresh();
        wall.Add(Steps / seconds);
        cpu.Add((Steps + 1) / (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    private static string Line(string label, List<double> ours, List<double> managed) => string.Create(CultureInfo.InvariantCulture,
        $"  {label}: ours {Percentile(ours, 0.5):F0} ({Percentile(ours, 0.25):F0}-{Percentile(ours, 0.75):F0}), " +
        $"managed {Percentile(managed, 0.5):F0} ({Percentile(managed, 0.25):F0}-{Percentile(managed, 0.75):F0}), " +
        $"ours/managed {Percentile(ours, 0.5) / Percentile(managed, 0.5):F3}");

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    private static long[] KvShape(DecoderSignature signature, int length) =>
        signature.CombinedKv ? [2, 1, signature.KvHeads, length, signature.HeadSize] : [1, signature.KvHeads, length, signature.HeadSize];

    private static unsafe double OurRun(Model model, OrtInferenceSession session)
    {
        var signature = model.Signature;
        var inputNames = new List<string> { signature.InputIds };
        if (signature.AttentionMask is not null)
        {
            inputNames.Add(signature.AttentionMask);
        }

        if (signature.PositionIds is not null)
        {
            inputNames.Add(signature.PositionIds);
        }

        inputNames.AddRange(signature.PastNames);
        string[] outputNameStrings = [signature.Logits, .. signature.PresentNames];
        var inNames = inputNames.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        var outNames = outputNameStrings.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        var kv = signature.PastNames.Length;
        var past = new OrtValueHandle[kv];
        for (var i = 0; i < kv; i++)
        {
            past[i] = OrtTensor.Allocate(signature.KvType, KvShape(signature, 0));
        }

        var ids = new long[1];
        var positions = new long[1];
        var mask = new long[Steps + 1];
        Array.Fill(mask, 1);
        var inputs = new IntPtr[inNames.Length];
        var outputs = new IntPtr[outNames.Length];
        var token = model.Config.Model!.BosTokenId ?? 1;
        var stopwatch = new Stopwatch();
        try
        {
            fixed (long* idsPtr = ids)
            fixed (long* positionsPtr = positions)
            fixed (long* maskPtr = mask)
            {
                for (var step = 0; step <= Steps; step++)
                {
                    if (step == 1)
                    {
                        stopwatch.Start();
                    }

                    var length = step + 1;
                    ids[0] = token;
                    positions[0] = step;
                    var n = 0;
                    inputs[n++] = OrtTensor.Wrap(idsPtr, 8, signature.InputIdsType, [1, 1]);
                    if (signature.AttentionMask is not null)
                    {
                        inputs[n++] = OrtTensor.Wrap(maskPtr, 8L * length, signature.AttentionMaskType, [1, length]);
                    }

                    if (signature.PositionIds is not null)
                    {
                        inputs[n++] = OrtTensor.Wrap(positionsPtr, 8, signature.PositionIdsType, [1, 1]);
                    }

                    for (var i = 0; i < kv; i++)
                    {
                        inputs[n++] = past[i].DangerousGetHandle();
                    }

                    using var logits = OrtTensor.Allocate(signature.LogitsType, [1, 1, model.VocabSize]);
                    var presents = new OrtValueHandle[kv];
                    for (var i = 0; i < kv; i++)
                    {
                        presents[i] = OrtTensor.Allocate(signature.KvType, KvShape(signature, length));
                    }

                    outputs[0] = logits.DangerousGetHandle();
                    for (var i = 0; i < kv; i++)
                    {
                        outputs[i + 1] = presents[i].DangerousGetHandle();
                    }

                    session.Run(null, inNames, inputs, outNames, outputs);
                    for (var i = 0; i < inputs.Length - kv; i++)
                    {
                        OrtTensor.Release(inputs[i]);
                    }

                    token = signature.LogitsType == TensorElementType.Float
                        ? ArgMax(new ReadOnlySpan<float>(OrtTensor.Data(logits.DangerousGetHandle()), model.VocabSize))
                        : (step * 7) + 3;
                    for (var i = 0; i < kv; i++)
                    {
                        past[i].Dispose();
                        past[i] = presents[i];
                    }
                }
            }

            stopwatch.Stop();
            return stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var handle in past)
            {
                handle.Dispose();
            }

            foreach (var name in inNames.Concat(outNames))
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }

    private static double ManagedRun(Model model, Managed.InferenceSession session)
    {
        var signature = model.Signature;
        var kvType = (ManagedElementType)(int)signature.KvType;
        var logitsType = (ManagedElementType)(int)signature.LogitsType;
        var inputNames = new List<string> { signature.InputIds };
        if (signature.AttentionMask is not null)
        {
            inputNames.Add(signature.AttentionMask);
        }

        if (signature.PositionIds is not null)
        {
            inputNames.Add(signature.PositionIds);
        }

        inputNames.AddRange(signature.PastNames);
        string[] outputNames = [signature.Logits, .. signature.PresentNames];
        var kv = signature.PastNames.Length;
        var allocator = Managed.OrtAllocator.DefaultInstance;
        var memory = Managed.OrtMemoryInfo.DefaultInstance;
        var past = new Managed.OrtValue[kv];
        for (var i = 0; i < kv; i++)
        {
            past[i] = Managed.OrtValue.CreateAllocatedTensorValue(allocator, kvType, KvShape(signature, 0));
        }

        var ids = new long[1];
        var positions = new long[1];
        var mask = new long[Steps + 1];
        Array.Fill(mask, 1);
        var token = model.Config.Model!.BosTokenId ?? 1;
        var stopwatch = new Stopwatch();
        try
        {
            for (var step = 0; step <= Steps; step++)
            {
                if (step == 1)
                {
                    stopwatch.Start();
                }

                var length = step + 1;
                ids[0] = token;
                positions[0] = step;
                var inputs = new List<Managed.OrtValue>(inputNames.Count)
                {
                    Managed.OrtValue.CreateTensorValueFromMemory(memory, ids.AsMemory(), [1, 1]),
                };
                if (signature.AttentionMask is not null)
                {
                    inputs.Add(Managed.OrtValue.CreateTensorValueFromMemory(memory, mask.AsMemory(0, length), [1, length]));
                }

                if (signature.PositionIds is not null)
                {
                    inputs.Add(Managed.OrtValue.CreateTensorValueFromMemory(memory, positions.AsMemory(), [1, 1]));
                }

                var created = inputs.Count;
                inputs.AddRange(past);
                using var logits = Managed.OrtValue.CreateAllocatedTensorValue(allocator, logitsType, [1, 1, model.VocabSize]);
                var outputs = new List<Managed.OrtValue>(outputNames.Length) { logits };
                var presents = new Managed.OrtValue[kv];
                for (var i = 0; i < kv; i++)
                {
                    presents[i] = Managed.OrtValue.CreateAllocatedTensorValue(allocator, kvType, KvShape(signature, length));
                    outputs.Add(presents[i]);
                }

                session.Run(null, inputNames, inputs, outputNames, outputs);
                for (var i = 0; i < created; i++)
                {
                    inputs[i].Dispose();
                }

                token = signature.LogitsType == TensorElementType.Float ? ArgMax(logits.GetTensorDataAsSpan<float>()) : (step * 7) + 3;
                for (var i = 0; i < kv; i++)
                {
                    past[i].Dispose();
                    past[i] = presents[i];
                }
            }

            stopwatch.Stop();
            return stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var value in past)
            {
                value.Dispose();
            }
        }
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }
}

/// <summary>
/// A benchmark theory: runs only with AKASHML_BENCH=1 (minutes of CPU; figures, not assertions), and then only with the
/// shared models its rows include.
/// </summary>
internal sealed class BenchmarkTheoryAttribute : TheoryAttribute
{
    public BenchmarkTheoryAttribute()
    {
        Skip = Environment.GetEnvironmentVariable("AKASHML_BENCH") != "1"
            ? "A benchmark: set AKASHML_BENCH=1 to run it and read the figures in the test output."
            : SharedTestData.SkipReason("models");
    }
}
