using System.Diagnostics;
using System.Runtime.InteropServices;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using Managed = Microsoft.ML.OnnxRuntime;
using ManagedElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace AkashML.Bench.Engine;

/// <summary>
/// The decode step through our C-API binding and through the package's managed binding (Microsoft.ML.OnnxRuntime),
/// same library, same graph, same work per step: wrap input_ids / attention_mask / position_ids over managed arrays,
/// allocate logits and presents [1, kv heads, length, head size] with ORT's allocator, run, argmax fp32 logits, hand
/// the presents over as the next pasts. Sessions use ORT's default options but one intra-op thread in both (the run
/// happens on the calling thread, so a busy shared machine's thread-pool spinning does not decide the figure). Rounds
/// alternate between the bindings; the figures are decode steps per second of wall time and of the process's CPU time
/// (steadier when other work shares the cores).
/// </summary>
public static class BindingBenchmark
{
    public static BindingBenchmarkResult Run(string folder, int steps = 255, int rounds = 15)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        using var model = Model.Load(folder);
        var signature = model.Signature;
        if (new[] { signature.InputIdsType, signature.AttentionMaskType, signature.PositionIdsType }.Any(type => type is not (TensorElementType.Int64 or TensorElementType.Undefined)))
        {
            throw new NotSupportedException($"{folder}: the binding benchmark feeds int64 ids, and this model takes others.");
        }

        using var ourOptions = new OrtSessionOptions();
        ourOptions.SetIntraOpThreads(1);
        using var ours = OrtInferenceSession.Create(model.ModelPath, ourOptions);
        using var managedOptions = new Managed.SessionOptions { IntraOpNumThreads = 1 };
        using var managed = new Managed.InferenceSession(model.ModelPath, managedOptions);

        var ourWall = new List<double>();
        var ourCpu = new List<double>();
        var managedWall = new List<double>();
        var managedCpu = new List<double>();
        OurRun(model, ours, steps);
        ManagedRun(model, managed, steps);
        for (var round = 0; round < rounds; round++)
        {
            Measure(() => OurRun(model, ours, steps), steps, ourWall, ourCpu);
            Measure(() => ManagedRun(model, managed, steps), steps, managedWall, managedCpu);
        }

        return new BindingBenchmarkResult(
            folder, signature.KvType.ToString(), model.VocabSize, steps, rounds,
            Spread.Of(ourWall), Spread.Of(managedWall), Spread.Of(ourCpu), Spread.Of(managedCpu));
    }

    private static void Measure(Func<double> run, int steps, List<double> wall, List<double> cpu)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var seconds = run();
        process.Refresh();
        wall.Add(steps / seconds);
        cpu.Add((steps + 1) / (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    private static long[] KvShape(DecoderSignature signature, int length) =>
        signature.CombinedKv ? [2, 1, signature.KvHeads, length, signature.HeadSize] : [1, signature.KvHeads, length, signature.HeadSize];

    private static unsafe double OurRun(Model model, OrtInferenceSession session, int steps)
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
        var mask = new long[steps + 1];
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
                for (var step = 0; step <= steps; step++)
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

    private static double ManagedRun(Model model, Managed.InferenceSession session, int steps)
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
        var mask = new long[steps + 1];
        Array.Fill(mask, 1);
        var token = model.Config.Model!.BosTokenId ?? 1;
        var stopwatch = new Stopwatch();
        try
        {
            for (var step = 0; step <= steps; step++)
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
