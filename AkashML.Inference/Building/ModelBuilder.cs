using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Building.Llama;
using AkashML.Inference.Building.Sources;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Building.Tokenizers;

namespace AkashML.Inference.Building;

/// <summary>
/// Builds ONNX Runtime GenAI model folders (model.onnx [+ model.onnx.data], genai_config.json, tokenizer.json,
/// tokenizer_config.json) from llama2.c checkpoints and Hugging Face Llama-family folders. Output appears atomically:
/// the folder is assembled beside the destination and moved into place when complete.
/// </summary>
public static class ModelBuilder
{
    /// <summary>
    /// Builds from a llama2.c checkpoint (.bin, legacy format) and its tokenizer: llama2.c's tokenizer.bin or a
    /// SentencePiece BPE .model file.
    /// </summary>
    public static Task<ModelBuildResult> BuildFromLlama2CAsync(string checkpointPath, string tokenizerPath, string outputDirectory, bool int4, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenizerPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        return Task.Run(() => BuildFromLlama2C(checkpointPath, tokenizerPath, outputDirectory, int4, overwrite, cancellationToken), cancellationToken);
    }

    /// <summary>Builds from a Hugging Face folder with config.json, *.safetensors, tokenizer.json and tokenizer_config.json.</summary>
    public static Task<ModelBuildResult> BuildFromHuggingFaceAsync(string folder, string outputDirectory, bool int4, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        return Task.Run(() => BuildFromHuggingFace(folder, outputDirectory, int4, overwrite, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Builds a model of <paramref name="shape"/>'s dimensions (see <see cref="RandomModelShapes"/>) with deterministic
    /// random weights and the tiny-random model's tokenizer (its special tokens become BOS, EOS and pad; the rest of the
    /// vocabulary has no text). For speed and memory-traffic measurements only: it produces no meaningful text.
    /// </summary>
    public static Task<ModelBuildResult> BuildRandomAsync(LlamaArchitecture shape, string outputDirectory, bool int4, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        return Task.Run(() => BuildRandom(shape, outputDirectory, int4, overwrite, cancellationToken), cancellationToken);
    }

    private static ModelBuildResult BuildRandom(LlamaArchitecture shape, string outputDirectory, bool int4, bool overwrite, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var tokenizer = TinyRandomModel.TrainTokenizer();
        var special = tokenizer.Tokens.Count;
        if (shape.VocabularySize < special + TinyRandomModel.SpecialTokens.Count)
        {
            throw new ModelBuildException($"The shape's vocabulary ({shape.VocabularySize}) is smaller than the tokenizer's {special + TinyRandomModel.SpecialTokens.Count} tokens.");
        }

        // The same special-token ids as the tiny-random model: BOS, then the chat end and end-of-text as EOS.
        var architecture = shape with { BosTokenId = special, EosTokenIds = [special + 3, special + 1], PadTokenId = special + 1 };
        using var transaction = new ModelFolderTransaction(outputDirectory, overwrite);
        var staging = transaction.StagingDirectory;
        var format = int4 ? WeightFormat.Int4 : WeightFormat.Float32;
        OnnxModelFiles.Write(staging, new TinyRandomWeights(architecture, TinyRandomModel.Seed), format, cancellationToken);
        File.WriteAllBytes(Path.Combine(staging, "genai_config.json"), GenAiConfigWriter.Create(architecture));
        File.WriteAllBytes(Path.Combine(staging, "tokenizer.json"), ByteLevelTokenizerJson.Create(tokenizer, TinyRandomModel.SpecialTokens));
        File.WriteAllBytes(Path.Combine(staging, "tokenizer_config.json"), TinyRandomModel.CreateTokenizerConfig(special));
        cancellationToken.ThrowIfCancellationRequested();
        var size = FolderSize(staging);
        transaction.Commit();
        return new ModelBuildResult(transaction.Destination, architecture, format, size, stopwatch.Elapsed);
    }

    private static ModelBuildResult BuildFromLlama2C(string checkpointPath, string tokenizerPath, string outputDirectory, bool int4, bool overwrite, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var checkpoint = Llama2CCheckpoint.Open(checkpointPath);
        var architecture = checkpoint.Architecture;
        var vocabulary = ReadSentencePieceTokenizer(tokenizerPath, architecture.VocabularySize);
        var unk = FindPiece(vocabulary, PieceKind.Unknown, "<unk>", tokenizerPath);
        var bos = FindPiece(vocabulary, PieceKind.Control, "<s>", tokenizerPath);
        var eos = FindPiece(vocabulary, PieceKind.Control, "</s>", tokenizerPath);
        architecture = architecture with { BosTokenId = bos, EosTokenIds = [eos], PadTokenId = eos };
        var tokenizerJson = SentencePieceBpeConverter.CreateTokenizerJson(vocabulary, bos, unk);
        var tokenizerConfig = SentencePieceBpeConverter.CreateTokenizerConfigJson(vocabulary, bos, eos, unk, architecture.ContextLength);
        var weights = new ArchitectureOverride(checkpoint, architecture);

        using var transaction = new ModelFolderTransaction(outputDirectory, overwrite);
        var staging = transaction.StagingDirectory;
        var format = int4 ? WeightFormat.Int4 : WeightFormat.Float32;
        OnnxModelFiles.Write(staging, weights, format, cancellationToken);
        File.WriteAllBytes(Path.Combine(staging, "genai_config.json"), GenAiConfigWriter.Create(architecture));
        File.WriteAllBytes(Path.Combine(staging, "tokenizer.json"), tokenizerJson);
        File.WriteAllBytes(Path.Combine(staging, "tokenizer_config.json"), tokenizerConfig);
        cancellationToken.ThrowIfCancellationRequested();
        var size = FolderSize(staging);
        transaction.Commit();
        return new ModelBuildResult(transaction.Destination, architecture, format, size, stopwatch.Elapsed);
    }

    private static ModelBuildResult BuildFromHuggingFace(string folder, string outputDirectory, bool int4, bool overwrite, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var tokenizerPath = Path.Combine(folder, "tokenizer.json");
        if (Directory.Exists(folder) && !File.Exists(tokenizerPath))
        {
            throw new ModelBuildException($"Folder '{folder}' has no tokenizer.json.");
        }

        var checkpoint = HuggingFaceCheckpoint.Open(folder);
        var architecture = checkpoint.Architecture;
        var tokenizerConfig = ReadTokenizerConfig(folder);

        using var transaction = new ModelFolderTransaction(outputDirectory, overwrite);
        var staging = transaction.StagingDirectory;
        var format = int4 ? WeightFormat.Int4 : WeightFormat.Float32;
        OnnxModelFiles.Write(staging, checkpoint, format, cancellationToken);
        File.WriteAllBytes(Path.Combine(staging, "genai_config.json"), GenAiConfigWriter.Create(architecture));
        File.Copy(tokenizerPath, Path.Combine(staging, "tokenizer.json"));
        File.WriteAllText(Path.Combine(staging, "tokenizer_config.json"), tokenizerConfig);
        foreach (var extra in new[] { "special_tokens_map.json", "generation_config.json", "chat_template.jinja" })
        {
            var source = Path.Combine(folder, extra);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(staging, extra));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var size = FolderSize(staging);
        transaction.Commit();
        return new ModelBuildResult(transaction.Destination, architecture, format, size, stopwatch.Elapsed);
    }

    /// <summary>tokenizer_config.json as given, with the chat template from chat_template.jinja folded in when the
    /// config itself has none (newer transformers releases keep it in that separate file).</summary>
    private static string ReadTokenizerConfig(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        JsonObject config;
        try
        {
            config = File.Exists(path)
                ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ModelBuildException($"'{path}' is not a JSON object.")
                : [];
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }

        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (!config.ContainsKey("chat_template") && File.Exists(jinja))
        {
            config["chat_template"] = File.ReadAllText(jinja);
        }

        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static SentencePieceVocabulary ReadSentencePieceTokenizer(string path, int vocabularySize)
    {
        var vocabulary = path.EndsWith(".model", StringComparison.OrdinalIgnoreCase)
            ? SentencePieceVocabulary.ReadModelProto(path)
            : SentencePieceVocabulary.ReadLlama2C(path, vocabularySize);
        if (vocabulary.Count != vocabularySize)
        {
            throw new ModelBuildException($"Tokenizer '{path}' has {vocabulary.Count} tokens but the checkpoint's vocabulary is {vocabularySize}.");
        }

        return vocabulary;
    }

    private static int FindPiece(SentencePieceVocabulary vocabulary, PieceKind kind, string piece, string path)
    {
        for (var id = 0; id < vocabulary.Count; id++)
        {
            if (vocabulary.Pieces[id].Kind == kind && vocabulary.Pieces[id].Piece == piece)
            {
                return id;
            }
        }

        throw new ModelBuildException($"Tokenizer '{path}' has no '{piece}' token.");
    }

    private static long FolderSize(string folder) =>
        Directory.EnumerateFiles(folder).Sum(f => new FileInfo(f).Length);

    /// <summary>Serves a source's weights under an adjusted architecture (token ids taken from the tokenizer).</summary>
    private sealed class ArchitectureOverride(ILlamaWeights inner, LlamaArchitecture architecture) : ILlamaWeights
    {
        public LlamaArchitecture Architecture => architecture;

        public float[] TokenEmbedding() => inner.TokenEmbedding();

        public float[] Layer(int layer, LlamaTensor tensor) => inner.Layer(layer, tensor);

        public float[] FinalNorm() => inner.FinalNorm();

        public float[]? OutputProjection() => inner.OutputProjection();
    }
}
