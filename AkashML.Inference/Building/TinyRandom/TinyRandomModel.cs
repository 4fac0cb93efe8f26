using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using AkashML.Inference.Building.Llama;
using AkashML.Inference.Building.Tokenizers;

namespace AkashML.Inference.Building.TinyRandom;

/// <summary>
/// The offline default model <c>akashml/tiny-random</c>: a tiny Llama-shaped decoder with deterministic random weights
/// and a byte-level BPE tokenizer learned from English text shipped in this assembly. It produces no meaningful text;
/// it exists so every feature works end to end without a download. Small enough to prefill a 49 KB prompt quickly.
/// </summary>
public static class TinyRandomModel
{
    public const string Id = "akashml/tiny-random";

    /// <summary>Upper bound of the learned vocabulary (256 byte tokens plus merges), before the special tokens. The corpus
    /// runs out of pairs first (about 10k tokens), since every pair, even a once-seen one, is merged; a cap of 8192 would
    /// cut off the rarer whole words and cost about 0.05 bytes per token on unseen text. Only the embedding grows.</summary>
    public const int LearnedVocabularyTarget = 16384;

    public const int ContextLength = 32768;

    public const ulong Seed = 0x416B6173684D4CUL;

    public const string BeginOfText = "<|begin_of_text|>";
    public const string EndOfText = "<|end_of_text|>";
    public const string MessageStart = "<|im_start|>";
    public const string MessageEnd = "<|im_end|>";

    public static IReadOnlyList<string> SpecialTokens { get; } = [BeginOfText, EndOfText, MessageStart, MessageEnd];

    /// <summary>ChatML, with tool definitions listed in a leading system block and text parts of structured content joined.</summary>
    public const string ChatTemplate =
        "{%- if tools %}{{- '<|im_start|>system\\n# Tools\\n\\nYou may call these functions:\\n<tools>' }}"
        + "{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}{{- '\\n</tools><|im_end|>\\n' }}{%- endif %}"
        + "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' }}"
        + "{%- if message['content'] is string %}{{- message['content'] }}"
        + "{%- elif message['content'] %}{%- for part in message['content'] %}{%- if part['type'] == 'text' %}{{- part['text'] }}{%- endif %}{%- endfor %}{%- endif %}"
        + "{{- '<|im_end|>\\n' }}{%- endfor %}"
        + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    /// <summary>True when <paramref name="folder"/> holds a complete build (the build only ever appears complete).</summary>
    public static bool IsBuilt(string folder) =>
        File.Exists(Path.Combine(folder, "genai_config.json")) && File.Exists(Path.Combine(folder, OnnxModelFiles.ModelFileName));

    /// <summary>The English text the tokenizer is trained on.</summary>
    public static string LoadCorpus()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("AkashML.Inference.Building.TinyRandom.corpus.txt")
            ?? throw new InvalidOperationException("The tiny-random corpus resource is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    public static ByteLevelBpeModel TrainTokenizer() => ByteLevelBpeTrainer.Train(LoadCorpus(), LearnedVocabularyTarget, minimumFrequency: 1);

    public static LlamaArchitecture CreateArchitecture(int learnedVocabulary)
    {
        var specialBase = learnedVocabulary;
        return new LlamaArchitecture
        {
            ModelType = "llama",
            HiddenSize = 64,
            IntermediateSize = 192,
            LayerCount = 2,
            HeadCount = 4,
            KeyValueHeadCount = 2,
            HeadSize = 16,
            VocabularySize = learnedVocabulary + SpecialTokens.Count,
            ContextLength = ContextLength,
            RmsNormEpsilon = 1e-5f,
            RopeTheta = 500000.0,
            TiedEmbeddings = true,
            BosTokenId = specialBase,
            EosTokenIds = [specialBase + 3, specialBase + 1],
            PadTokenId = specialBase + 1,
        };
    }

    /// <summary>Builds the model into <paramref name="outputDirectory"/>, replacing what is there, atomically.</summary>
    public static Task<ModelBuildResult> BuildAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        return Task.Run(() => Build(outputDirectory, cancellationToken), cancellationToken);
    }

    private static ModelBuildResult Build(string outputDirectory, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var tokenizer = TrainTokenizer();
        cancellationToken.ThrowIfCancellationRequested();
        var architecture = CreateArchitecture(tokenizer.Tokens.Count);
        using var transaction = new ModelFolderTransaction(outputDirectory, overwrite: true);
        var staging = transaction.StagingDirectory;
        OnnxModelFiles.Write(staging, new TinyRandomWeights(architecture, Seed), WeightFormat.Float32, cancellationToken);
        File.WriteAllBytes(Path.Combine(staging, "genai_config.json"), GenAiConfigWriter.Create(architecture));
        File.WriteAllBytes(Path.Combine(staging, "tokenizer.json"), ByteLevelTokenizerJson.Create(tokenizer, SpecialTokens));
        File.WriteAllBytes(Path.Combine(staging, "tokenizer_config.json"), CreateTokenizerConfig(tokenizer.Tokens.Count));
        cancellationToken.ThrowIfCancellationRequested();
        var size = Directory.EnumerateFiles(staging).Sum(f => new FileInfo(f).Length);
        transaction.Commit();
        return new ModelBuildResult(transaction.Destination, architecture, WeightFormat.Float32, size, stopwatch.Elapsed);
    }

    internal static byte[] CreateTokenizerConfig(int learnedVocabulary)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, SentencePieceBpeConverter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteBoolean("add_bos_token", false);
            json.WriteBoolean("add_eos_token", false);
            json.WriteStartObject("added_tokens_decoder");
            for (var i = 0; i < SpecialTokens.Count; i++)
            {
                json.WriteStartObject((learnedVocabulary + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("content", SpecialTokens[i]);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteString("bos_token", BeginOfText);
            json.WriteString("eos_token", MessageEnd);
            json.WriteString("pad_token", EndOfText);
            json.WriteNull("unk_token");
            json.WriteString("chat_template", ChatTemplate);
            json.WriteBoolean("clean_up_tokenization_spaces", false);
            json.WriteNumber("model_max_length", ContextLength);
            json.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
