using System.Numerics.Tensors;
using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>
/// Turns a logits output row into what selection sees: fp32, with several EOS ids merged as GenAI does. Shared by the
/// per-generator state and the batched decoder so both paths score tokens identically.
/// </summary>
internal static unsafe class LogitsReader
{
    internal static void ConvertToFloat(void* source, TensorElementType type, Span<float> destination)
    {
        switch (type)
        {
            case TensorElementType.Float:
                new ReadOnlySpan<float>(source, destination.Length).CopyTo(destination);
                break;
            case TensorElementType.Float16:
                // Vectorised (F16C where the CPU has it): a 32k-vocabulary row converted one Half at a time was ~15 % of a decode step.
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, destination.Length), destination);
                break;
            case TensorElementType.BFloat16:
                var raw = new ReadOnlySpan<ushort>(source, destination.Length);
                for (var i = 0; i < raw.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                }

                break;
            default:
                throw new NotSupportedException($"Logits of type {type} are not supported.");
        }
    }

    /// <summary>Several EOS ids: all get the lowest score and the primary one gets their maximum (GenAI's HandleEOSArray).</summary>
    internal static void MergeEos(Span<float> row, ReadOnlySpan<int> eosTokenIds)
    {
        if (eosTokenIds.Length <= 1)
        {
            return;
        }

        var max = float.MinValue;
        foreach (var id in eosTokenIds)
        {
            if ((uint)id < (uint)row.Length)
            {
                max = Math.Max(max, row[id]);
                row[id] = float.MinValue;
            }
        }

        if ((uint)eosTokenIds[0] < (uint)row.Length)
        {
            row[eosTokenIds[0]] = max;
        }
    }
}
