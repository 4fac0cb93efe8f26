using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AkashML.Inference.Building.Onnx;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>The kind of a SentencePiece piece (values of <c>SentencePiece.Type</c>).</summary>
public enum PieceKind
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One vocabulary entry: the piece as SentencePiece writes it (spaces as U+2581), its score and kind.</summary>
public sealed record SentencePiece(string Piece, float Score, PieceKind Kind);

/// <summary>
/// A SentencePiece-style BPE vocabulary with scores, read from llama2.c's <c>tokenizer.bin</c> or a SentencePiece
/// <c>.model</c> file.
/// </summary>
public sealed class SentencePieceVocabulary
{
    public const char SpaceMarker = '\u2581';

    public SentencePieceVocabulary(IReadOnlyList<SentencePiece> pieces)
    {
        Pieces = pieces;
    }

    public IReadOnlyList<SentencePiece> Pieces { get; }

    public int Count => Pieces.Count;

    /// <summary>
    /// Reads llama2.c's tokenizer export: int32 max_token_length, then per token a float score, an int32 byte length and
    /// the bytes. The export wrote "\n&lt;s&gt;\n" and "\n&lt;/s&gt;\n" for BOS/EOS and spaces instead of U+2581.
    /// <paramref name="vocabularySize"/> is the model's vocabulary (the file carries no count).
    /// </summary>
    public static SentencePieceVocabulary ReadLlama2C(string path, int vocabularySize)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException($"Tokenizer '{path}' does not exist.");
        }

        var data = File.ReadAllBytes(path);
        var pieces = new List<SentencePiece>(vocabularySize);
        var position = 4;
        if (data.Length < 4)
        {
            throw new ModelBuildException($"Tokenizer '{path}' is too short for a llama2.c tokenizer.");
        }

        var maxLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (maxLength <= 0 || maxLength > 4096)
        {
            throw new ModelBuildException($"Tokenizer '{path}' is not a llama2.c tokenizer (max_token_length {maxLength}).");
        }

        var utf8 = new UTF8Encoding(false, true);
        for (var id = 0; id < vocabularySize; id++)
        {
            if (position + 8 > data.Length)
            {
                throw new ModelBuildException($"Tokenizer '{path}' is truncated: it holds {id} tokens, the model needs {vocabularySize}.");
            }

            var score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(position));
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position + 4));
            position += 8;
            if (length < 0 || length > maxLength || position + length > data.Length)
            {
                throw new ModelBuildException($"Tokenizer '{path}' is corrupt at token {id} (length {length}).");
            }

            string text;
            try
            {
                text = utf8.GetString(data, position, length);
            }
            catch (DecoderFallbackException)
            {
                throw new ModelBuildException($"Tokenizer '{path}' token {id} is not valid UTF-8.");
            }

            position += length;
            pieces.Add(Classify(id, text, score));
        }

        if (position != data.Length)
        {
            throw new ModelBuildException($"Tokenizer '{path}' holds more than the model's {vocabularySize} tokens.");
        }

        return new SentencePieceVocabulary(pieces);
    }

    /// <summary>Reads a SentencePiece <c>ModelProto</c> (pieces = field 1: piece 1, score 2, type 3; trainer_spec = field 2 with model_type 3).</summary>
    public static SentencePieceVocabulary ReadModelProto(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException($"Tokenizer '{path}' does not exist.");
        }

        var data = File.ReadAllBytes(path);
        var pieces = new List<SentencePiece>();
        try
        {
            var reader = new ProtoReader(data);
            while (reader.Next())
            {
                if (reader.Field == 1 && reader.WireType == 2)
                {
                    pieces.Add(ReadPiece(reader.ReadBytes()));
                }
                else if (reader.Field == 2 && reader.WireType == 2)
                {
                    var modelType = ReadModelType(reader.ReadBytes());
                    if (modelType != 2)
                    {
                        throw new ModelBuildException($"Tokenizer '{path}' is a SentencePiece {(modelType == 1 ? "unigram" : "non-BPE")} model; only BPE is supported.");
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ModelBuildException($"Tokenizer '{path}' is not a SentencePiece model: {ex.Message}", ex);
        }

        if (pieces.Count == 0)
        {
            throw new ModelBuildException($"Tokenizer '{path}' holds no pieces.");
        }

        return new SentencePieceVocabulary(pieces);
    }

    private static SentencePiece ReadPiece(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        var piece = string.Empty;
        var score = 0f;
        var kind = PieceKind.Normal;
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1:
                    piece = reader.ReadString();
                    break;
                case 2:
                    score = reader.ReadFloat();
                    break;
                case 3:
                    kind = (PieceKind)reader.ReadInt64();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new SentencePiece(piece, score, kind);
    }

    private static long ReadModelType(ReadOnlySpan<byte> trainerSpec)
    {
        var reader = new ProtoReader(trainerSpec);
        var modelType = 1L;
        while (reader.Next())
        {
            if (reader.Field == 3 && reader.WireType == 0)
            {
                modelType = reader.ReadInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        return modelType;
    }

    private static SentencePiece Classify(int id, string text, float score)
    {
        if (id == 0 && text == "<unk>")
        {
            return new SentencePiece("<unk>", score, PieceKind.Unknown);
        }

        if (text == "\n<s>\n")
        {
            return new SentencePiece("<s>", score, PieceKind.Control);
        }

        if (text == "\n</s>\n")
        {
            return new SentencePiece("</s>", score, PieceKind.Control);
        }

        if (text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
            && byte.TryParse(text.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
        {
            return new SentencePiece(text, score, PieceKind.Byte);
        }

        return new SentencePiece(text.Replace(' ', SpaceMarker), score, PieceKind.Normal);
    }
}
