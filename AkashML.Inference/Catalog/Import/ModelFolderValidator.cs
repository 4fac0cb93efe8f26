using System.Text.Json;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Catalog.Import;

/// <summary>Checks that a folder is a usable GenAI-format model: config, decoder graph and tokenizer.</summary>
public static class ModelFolderValidator
{
    /// <summary>
    /// Null when <paramref name="folder"/> has a genai_config.json that parses, the decoder file it names and a
    /// tokenizer.json; otherwise one line saying what is wrong. Reads files only (no ONNX Runtime).
    /// </summary>
    public static string? CheckFiles(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            return $"folder '{folder}' does not exist";
        }

        var configPath = Path.Combine(folder, GenAiConfig.FileName);
        if (!File.Exists(configPath))
        {
            return $"'{folder}' has no {GenAiConfig.FileName}: not a GenAI-format model folder";
        }

        GenAiConfig config;
        try
        {
            config = GenAiConfig.Load(configPath);
        }
        catch (Exception ex) when (ex is ModelConfigException or JsonException or IOException)
        {
            return $"{GenAiConfig.FileName} in '{folder}' is invalid: {OneLine(ex.Message)}";
        }

        var decoder = config.Model!.Decoder!.Filename;
        if (!File.Exists(Path.Combine(folder, decoder)))
        {
            return $"'{folder}' lacks the decoder file '{decoder}' that {GenAiConfig.FileName} names";
        }

        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            return $"'{folder}' has no tokenizer.json";
        }

        return null;
    }

    /// <summary>
    /// <see cref="CheckFiles"/>, then loads the model with ONNX Runtime and the tokenizer, so a folder that passes
    /// really serves. <paramref name="options"/> picks the execution provider and threads.
    /// </summary>
    public static string? CheckByLoading(string folder, ModelOptions? options = null)
    {
        if (CheckFiles(folder) is { } problem)
        {
            return problem;
        }

        try
        {
            using var model = Model.Load(folder, options);
            var tokenizer = HuggingFaceTokenizer.FromDirectory(folder);
            if (tokenizer.VocabularySize == 0)
            {
                return $"tokenizer.json in '{folder}' has an empty vocabulary";
            }
        }
        catch (FormatException ex)
        {
            return $"tokenizer.json in '{folder}' cannot be loaded: {OneLine(ex.Message)}";
        }
        catch (Exception ex) when (ex is ModelLoadException or ModelConfigException or ExecutionProviderUnavailableException
            or OnnxRuntimeUnavailableException or IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            return $"the model in '{folder}' cannot be loaded: {OneLine(ex.Message)}";
        }

        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
