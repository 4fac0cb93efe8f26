namespace AkashML.Inference.Runtime.Caching;

/// <summary>
/// The shape of a model's KV cache per position, which fixes what a <see cref="PrefixBlock"/> holds: for each past
/// tensor (key and value of every layer) and each KV head, <c>HeadBytes</c> per position.
/// </summary>
internal sealed record KvBlockLayout(int Tensors, int KvHeads, int HeadBytes)
{
    /// <summary>Bytes of keys and values for one position across every layer.</summary>
    public long BytesPerToken => (long)Tensors * KvHeads * HeadBytes;

    /// <summary>
    /// Copies <paramref name="count"/> positions between a KV tensor laid out [.., kv head, <paramref name="capacity"/>,
    /// head size] (starting at <paramref name="row"/>, the sequence's own row) and a block's data.
    /// </summary>
    public unsafe void CopyFromTensor(byte* row, int capacity, int tensor, int start, int count, Span<byte> block, int blockTokens, int blockOffset)
    {
        var bytes = (long)count * HeadBytes;
        fixed (byte* target = block)
        {
            for (var h = 0; h < KvHeads; h++)
            {
                var from = row + ((((long)h * capacity) + start) * HeadBytes);
                var to = target + ((((((long)tensor * KvHeads) + h) * blockTokens) + blockOffset) * HeadBytes);
                Buffer.MemoryCopy(from, to, bytes, bytes);
            }
        }
    }

    /// <summary>The reverse of <see cref="CopyFromTensor"/>: a whole block into positions <paramref name="start"/>.. of a sequence's row.</summary>
    public unsafe void CopyToTensor(ReadOnlySpan<byte> block, int blockTokens, int tensor, byte* row, int capacity, int start)
    {
        var bytes = (long)blockTokens * HeadBytes;
        fixed (byte* source = block)
        {
            for (var h = 0; h < KvHeads; h++)
            {
                var from = source + ((((long)tensor * KvHeads) + h) * blockTokens * HeadBytes);
                var to = row + ((((long)h * capacity) + start) * HeadBytes);
                Buffer.MemoryCopy(from, to, bytes, bytes);
            }
        }
    }
}
