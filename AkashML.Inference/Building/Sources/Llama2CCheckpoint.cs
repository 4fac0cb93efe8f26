using System.Buffers.Binary;
using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Building.Sources;

/// <summary>
/// A llama2.c checkpoint (legacy version 0 export): a header of seven int32 — dim, hidden_dim, n_layers, n_heads,
/// n_kv_heads, vocab_size (negative when the classifier is not shared with the embedding), seq_len — followed by fp32
/// weights in llama2.c's order: token embedding, attention norms, wq, wk, wv, wo, FFN norms, w1, w2, w3, final norm,
/// the unused RoPE tables (seq_len × head_size/2 twice) and, when unshared, the classifier. Reads tensors on demand.
/// </summary>
public sealed class Llama2CCheckpoint : ILlamaWeights
{
    public const int HeaderBytes = 7 * sizeof(int);

    /// <summary>"ak42" read as a little-endian uint32: the magic of llama2.c's newer (version 1+) exports.</summary>
    private const uint VersionedExportMagic = 0x616b3432;

    private readonly string _path;
    private readonly long _embeddingOffset;
    private readonly long _attentionNormOffset;
    private readonly long _wqOffset;
    private readonly long _wkOffset;
    private readonly long _wvOffset;
    private readonly long _woOffset;
    private readonly long _ffnNormOffset;
    private readonly long _w1Offset;
    private readonly long _w2Offset;
    private readonly long _w3Offset;
    private readonly long _finalNormOffset;
    private readonly long _classifierOffset;

    private Llama2CCheckpoint(string path, Llama2CHeader header, LlamaArchitecture architecture)
    {
        _path = path;
        Header = header;
        Architecture = architecture;
        long dim = header.Dim;
        long hidden = header.HiddenDim;
        long layers = header.LayerCount;
        long kvDim = (long)header.KeyValueHeadCount * (header.Dim / header.HeadCount);
        long offset = HeaderBytes;
        long Next(long floats)
        {
            var start = offset;
            offset += floats * sizeof(float);
            return start;
        }

        _embeddingOffset = Next(header.VocabularySize * dim);
        _attentionNormOffset = Next(layers * dim);
        _wqOffset = Next(layers * dim * dim);
        _wkOffset = Next(layers * dim * kvDim);
        _wvOffset = Next(layers * dim * kvDim);
        _woOffset = Next(layers * dim * dim);
        _ffnNormOffset = Next(layers * dim);
        _w1Offset = Next(layers * dim * hidden);
        _w2Offset = Next(layers * hidden * dim);
        _w3Offset = Next(layers * dim * hidden);
        _finalNormOffset = Next(dim);
        Next(header.SequenceLength * (dim / header.HeadCount));
        _classifierOffset = header.SharedClassifier ? -1 : Next(header.VocabularySize * dim);
        ExpectedLength = offset;
    }

    public Llama2CHeader Header { get; }

    public LlamaArchitecture Architecture { get; }

    /// <summary>The exact file size the header implies.</summary>
    public long ExpectedLength { get; }

    /// <summary>Reads and validates the header; the file must be exactly as long as the header implies.</summary>
    public static Llama2CCheckpoint Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException($"Checkpoint '{path}' does not exist.");
        }

        var length = new FileInfo(path).Length;
        if (length < HeaderBytes)
        {
            throw new ModelBuildException($"Checkpoint '{path}' is {length} bytes, too short for a llama2.c header.");
        }

        Span<byte> raw = stackalloc byte[HeaderBytes];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadExactly(raw);
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(raw) == VersionedExportMagic)
        {
            throw new ModelBuildException($"Checkpoint '{path}' is a llama2.c version 1+ export (magic 'ak42'); only the legacy version 0 format is supported.");
        }

        var header = Llama2CHeader.Parse(raw);
        header.Validate(path);
        var architecture = new LlamaArchitecture
        {
            ModelType = "llama",
            HiddenSize = header.Dim,
            IntermediateSize = header.HiddenDim,
            LayerCount = header.LayerCount,
            HeadCount = header.HeadCount,
            KeyValueHeadCount = header.KeyValueHeadCount,
            HeadSize = header.Dim / header.HeadCount,
            VocabularySize = header.VocabularySize,
            ContextLength = header.SequenceLength,
            RmsNormEpsilon = 1e-5f,
            RopeTheta = 10000.0,
            RotaryInterleaved = true,
            TiedEmbeddings = header.SharedClassifier,
            BosTokenId = 1,
            EosTokenIds = [2],
            PadTokenId = 2,
        };
        var checkpoint = new Llama2CCheckpoint(path, header, architecture);
        if (length != checkpoint.ExpectedLength)
        {
            var problem = length < checkpoint.ExpectedLength ? "truncated" : "longer than its header implies";
            throw new ModelBuildException($"Checkpoint '{path}' is {problem}: {length} bytes, expected {checkpoint.ExpectedLength} for its header ({header}).");
        }

        return checkpoint;
    }

    public float[] TokenEmbedding() => Read(_embeddingOffset, (long)Header.VocabularySize * Header.Dim);

    public float[] FinalNorm() => Read(_finalNormOffset, Header.Dim);

    public float[]? OutputProjection() => Header.SharedClassifier ? null : Read(_classifierOffset, (long)Header.VocabularySize * Header.Dim);

    public float[] Layer(int layer, LlamaTensor tensor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, Header.LayerCount);
        long dim = Header.Dim;
        long hidden = Header.HiddenDim;
        var kvDim = (long)Architecture.KeyValueSize;
        return tensor switch
        {
            LlamaTensor.InputNorm => Read(_attentionNormOffset + (layer * dim * 4), dim),
            LlamaTensor.QueryWeight => Read(_wqOffset + (layer * dim * dim * 4), dim * dim),
            LlamaTensor.KeyWeight => Read(_wkOffset + (layer * dim * kvDim * 4), dim * kvDim),
            LlamaTensor.ValueWeight => Read(_wvOffset + (layer * dim * kvDim * 4), dim * kvDim),
            LlamaTensor.OutputWeight => Read(_woOffset + (layer * dim * dim * 4), dim * dim),
            LlamaTensor.PostAttentionNorm => Read(_ffnNormOffset + (layer * dim * 4), dim),
            LlamaTensor.GateWeight => Read(_w1Offset + (layer * dim * hidden * 4), dim * hidden),
            LlamaTensor.DownWeight => Read(_w2Offset + (layer * dim * hidden * 4), dim * hidden),
            LlamaTensor.UpWeight => Read(_w3Offset + (layer * dim * hidden * 4), dim * hidden),
            LlamaTensor.QueryBias or LlamaTensor.KeyBias or LlamaTensor.ValueBias =>
                throw new ModelBuildException("llama2.c checkpoints have no attention bias."),
            _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
        };
    }

    private float[] Read(long offset, long count)
    {
        var values = new float[count];
        using var handle = File.OpenHandle(_path);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes[read..], offset + read);
            if (n == 0)
            {
                throw new ModelBuildException($"Checkpoint '{_path}' ended early while reading weights.");
            }

            read += n;
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("llama2.c checkpoints are little-endian; this machine is not.");
        }

        return values;
    }
}
