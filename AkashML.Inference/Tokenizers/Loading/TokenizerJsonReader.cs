using System.Text;
using System.Text.Json;
using AkashML.Inference.Tokenizers.Decoding;
using AkashML.Inference.Tokenizers.Models;
using AkashML.Inference.Tokenizers.Normalization;
using AkashML.Inference.Tokenizers.PostProcessing;
using AkashML.Inference.Tokenizers.PreTokenization;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Loading;

/// <summary>Reads tokenizer.json (the Hugging Face tokenizers serialization) into a <see cref="TokenizerDefinition"/>.</summary>
internal static class TokenizerJsonReader
{
    public static TokenizerDefinition Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 256 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException("tokenizer.json must hold a JSON object.");
            }

            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException("tokenizer.json has no 'model' object.");
            }

            var addedTokens = ReadAddedTokens(Optional(root, "added_tokens"));
            return new TokenizerDefinition(
                ReadNormalizer(Optional(root, "normalizer")),
                ReadPreTokenizer(Optional(root, "pre_tokenizer")),
                ReadModel(model),
                ReadPostProcessor(Optional(root, "post_processor")),
                ReadDecoder(Optional(root, "decoder")),
                addedTokens,
                ReadTruncation(Optional(root, "truncation")),
                ReadPadding(Optional(root, "padding")));
        }
        catch (JsonException ex)
        {
            throw new TokenizerFormatException($"tokenizer.json is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // JsonElement accessors throw this when a field has an unexpected JSON type.
            throw new TokenizerFormatException($"tokenizer.json has a field of the wrong type: {ex.Message}", ex);
        }
        catch (FormatException ex) when (ex is not TokenizerFormatException)
        {
            throw new TokenizerFormatException($"tokenizer.json has a malformed value: {ex.Message}", ex);
        }
    }

    private static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string TypeOf(JsonElement obj, string what) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new TokenizerFormatException($"A {what} has no 'type'.");

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string RequireString(JsonElement obj, string name, string what) =>
        GetString(obj, name) ?? throw new TokenizerFormatException($"{what} needs a string '{name}'.");

    private static bool GetBool(JsonElement obj, string name, bool fallback) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : fallback;

    private static int GetInt(JsonElement obj, string name, int fallback) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : fallback;

    private static char GetChar(JsonElement obj, string name, char fallback, string what)
    {
        var s = GetString(obj, name);
        if (s is null)
        {
            return fallback;
        }

        return s.Length == 1 ? s[0] : throw new TokenizerFormatException($"{what}: '{name}' must be a single character.");
    }

    private static IEnumerable<JsonElement> Array(JsonElement obj, string name, string what) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new TokenizerFormatException($"{what} needs an array '{name}'.");

    private static TokenizerRegex ReadPattern(JsonElement obj, string what)
    {
        if (!obj.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException($"{what} needs a 'pattern' object.");
        }

        if (GetString(pattern, "String") is { } literal)
        {
            return TokenizerRegex.FromLiteral(literal);
        }

        if (GetString(pattern, "Regex") is { } regex)
        {
            return TokenizerRegex.FromOniguruma(regex);
        }

        throw new TokenizerFormatException($"{what}: 'pattern' must be {{\"String\": ...}} or {{\"Regex\": ...}}.");
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement? element)
    {
        var tokens = new List<AddedToken>();
        if (element is not { } array)
        {
            return tokens;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new TokenizerFormatException("'added_tokens' must be an array.");
        }

        foreach (var item in array.EnumerateArray())
        {
            if (!item.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number)
            {
                throw new TokenizerFormatException("Every added token needs a numeric 'id'.");
            }

            var special = GetBool(item, "special", false);
            tokens.Add(new AddedToken(
                id.GetInt32(),
                RequireString(item, "content", "An added token"),
                special,
                GetBool(item, "normalized", !special),
                GetBool(item, "lstrip", false),
                GetBool(item, "rstrip", false),
                GetBool(item, "single_word", false)));
        }

        return tokens;
    }

    private static INormalizer? ReadNormalizer(JsonElement? element)
    {
        if (element is not { } n)
        {
            return null;
        }

        var type = TypeOf(n, "normalizer");
        return type switch
        {
            "Sequence" => new SequenceNormalizer([.. Array(n, "normalizers", "Sequence normalizer").Select(e => ReadNormalizer(e)!)]),
            "NFC" => new UnicodeFormNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeFormNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Strip" => new StripNormalizer(GetBool(n, "strip_left", true), GetBool(n, "strip_right", true)),
            "StripAccents" => new StripAccentsNormalizer(),
            "Replace" => new ReplaceNormalizer(ReadPattern(n, "Replace normalizer"), RequireString(n, "content", "Replace normalizer")),
            "Prepend" => new PrependNormalizer(RequireString(n, "prepend", "Prepend normalizer")),
            "BertNormalizer" => new BertNormalizer(
                GetBool(n, "clean_text", true),
                GetBool(n, "handle_chinese_chars", true),
                n.TryGetProperty("strip_accents", out var sa) && sa.ValueKind is JsonValueKind.True or JsonValueKind.False ? sa.GetBoolean() : null,
                GetBool(n, "lowercase", true)),
            "Precompiled" => GetString(n, "precompiled_charsmap") is { Length: > 0 } map
                ? new PrecompiledNormalizer(Convert.FromBase64String(map))
                : new SequenceNormalizer([]),
            "ByteLevel" => new ByteLevelNormalizer(),
            _ => throw new TokenizerFormatException($"Unsupported normalizer type '{type}'."),
        };
    }

    private static IPreTokenizer? ReadPreTokenizer(JsonElement? element)
    {
        if (element is not { } p)
        {
            return null;
        }

        var type = TypeOf(p, "pre-tokenizer");
        return type switch
        {
            "Sequence" => new SequencePreTokenizer([.. Array(p, "pretokenizers", "Sequence pre-tokenizer").Select(e => ReadPreTokenizer(e)!)]),
            "ByteLevel" => new ByteLevelPreTokenizer(GetBool(p, "add_prefix_space", true), GetBool(p, "use_regex", true)),
            "Split" => new RegexSplitPreTokenizer(ReadPattern(p, "Split pre-tokenizer"), ReadBehavior(p, SplitBehavior.Isolated), GetBool(p, "invert", false)),
            "Metaspace" => new MetaspacePreTokenizer(GetChar(p, "replacement", '\u2581', "Metaspace"), ReadPrependScheme(p), GetBool(p, "split", true)),
            "Whitespace" => new RegexSplitPreTokenizer(
                TokenizerRegex.FromDotNet($"[{UnicodeChars.RustWordClassBody}]+|[^{UnicodeChars.RustWordClassBody}\\s]+"), SplitBehavior.Removed, invert: true),
            "WhitespaceSplit" => new CharSplitPreTokenizer(UnicodeChars.IsWhitespace, SplitBehavior.Removed),
            "BertPreTokenizer" => new SequencePreTokenizer(
            [
                new CharSplitPreTokenizer(UnicodeChars.IsWhitespace, SplitBehavior.Removed),
                new CharSplitPreTokenizer(UnicodeChars.IsPunctuation, SplitBehavior.Isolated),
            ]),
            "Digits" => new CharSplitPreTokenizer(UnicodeChars.IsNumeric,
                GetBool(p, "individual_digits", false) ? SplitBehavior.Isolated : SplitBehavior.Contiguous),
            "Punctuation" => new CharSplitPreTokenizer(UnicodeChars.IsPunctuation, ReadBehavior(p, SplitBehavior.Isolated)),
            "CharDelimiterSplit" => ReadCharDelimiter(p),
            _ => throw new TokenizerFormatException($"Unsupported pre-tokenizer type '{type}'."),
        };
    }

    private static CharSplitPreTokenizer ReadCharDelimiter(JsonElement p)
    {
        var delimiter = GetChar(p, "delimiter", ' ', "CharDelimiterSplit");
        return new CharSplitPreTokenizer(r => r.Value == delimiter, SplitBehavior.Removed);
    }

    private static SplitBehavior ReadBehavior(JsonElement obj, SplitBehavior fallback)
    {
        var name = GetString(obj, "behavior");
        return name switch
        {
            null => fallback,
            "Removed" => SplitBehavior.Removed,
            "Isolated" => SplitBehavior.Isolated,
            "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
            "MergedWithNext" => SplitBehavior.MergedWithNext,
            "Contiguous" => SplitBehavior.Contiguous,
            _ => throw new TokenizerFormatException($"Unknown split behavior '{name}'."),
        };
    }

    private static PrependScheme ReadPrependScheme(JsonElement obj)
    {
        var scheme = GetString(obj, "prepend_scheme");
        return scheme switch
        {
            "always" => PrependScheme.Always,
            "first" => PrependScheme.First,
            "never" => PrependScheme.Never,
            null => GetBool(obj, "add_prefix_space", true) ? PrependScheme.Always : PrependScheme.Never,
            _ => throw new TokenizerFormatException($"Unknown Metaspace prepend_scheme '{scheme}'."),
        };
    }

    private static ITokenizerModel ReadModel(JsonElement m)
    {
        var type = GetString(m, "type") ?? InferModelType(m);
        return type switch
        {
            "BPE" => ReadBpe(m),
            "WordPiece" => new WordPieceModel(ReadVocabObject(m), GetString(m, "unk_token") ?? "[UNK]",
                GetString(m, "continuing_subword_prefix") ?? "##", GetInt(m, "max_input_chars_per_word", 100)),
            "WordLevel" => new WordLevelModel(ReadVocabObject(m), GetString(m, "unk_token")),
            "Unigram" => ReadUnigram(m),
            _ => throw new TokenizerFormatException($"Unsupported model type '{type}'."),
        };
    }

    /// <summary>Older files omit the model's "type"; tell the models apart by their fields.</summary>
    private static string InferModelType(JsonElement m)
    {
        if (m.TryGetProperty("merges", out _))
        {
            return "BPE";
        }

        if (m.TryGetProperty("vocab", out var vocab) && vocab.ValueKind == JsonValueKind.Array)
        {
            return "Unigram";
        }

        if (m.TryGetProperty("max_input_chars_per_word", out _) || m.TryGetProperty("continuing_subword_prefix", out _))
        {
            return "WordPiece";
        }

        return m.TryGetProperty("vocab", out _) ? "WordLevel" : throw new TokenizerFormatException("The model has no 'type' and no recognisable fields.");
    }

    private static Dictionary<string, int> ReadVocabObject(JsonElement m)
    {
        if (!m.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException("The model needs a 'vocab' object of token to id.");
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            result[entry.Name] = entry.Value.GetInt32();
        }

        return result;
    }

    private static BpeModel ReadBpe(JsonElement m)
    {
        var vocab = ReadVocabObject(m);
        var merges = new List<(string, string)>();
        if (m.TryGetProperty("merges", out var mergesElement) && mergesElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var merge in mergesElement.EnumerateArray())
            {
                if (merge.ValueKind == JsonValueKind.String)
                {
                    var line = merge.GetString()!;
                    if (line.StartsWith("#version", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var parts = line.Split(' ');
                    if (parts.Length != 2)
                    {
                        throw new TokenizerFormatException($"BPE merge {merges.Count + 1} ('{line}') is not two tokens separated by one space.");
                    }

                    merges.Add((parts[0], parts[1]));
                }
                else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
                {
                    merges.Add((merge[0].GetString()!, merge[1].GetString()!));
                }
                else
                {
                    throw new TokenizerFormatException($"BPE merge {merges.Count + 1} must be \"a b\" or [\"a\", \"b\"].");
                }
            }
        }

        var options = new BpeOptions(
            GetString(m, "unk_token"),
            GetString(m, "continuing_subword_prefix"),
            GetString(m, "end_of_word_suffix"),
            GetBool(m, "fuse_unk", false),
            GetBool(m, "byte_fallback", false),
            GetBool(m, "ignore_merges", false));
        return new BpeModel(vocab, merges, options);
    }

    private static UnigramModel ReadUnigram(JsonElement m)
    {
        if (!m.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Array)
        {
            throw new TokenizerFormatException("The Unigram model needs a 'vocab' array of [piece, score].");
        }

        var pieces = new (string, double)[vocab.GetArrayLength()];
        var i = 0;
        foreach (var entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2)
            {
                throw new TokenizerFormatException($"Unigram vocab entry {i} must be [piece, score].");
            }

            pieces[i++] = (entry[0].GetString()!, entry[1].GetDouble());
        }

        int? unkId = m.TryGetProperty("unk_id", out var unk) && unk.ValueKind == JsonValueKind.Number ? unk.GetInt32() : null;
        return new UnigramModel(pieces, unkId, GetBool(m, "byte_fallback", false));
    }

    private static IPostProcessor? ReadPostProcessor(JsonElement? element)
    {
        if (element is not { } p)
        {
            return null;
        }

        var type = TypeOf(p, "post-processor");
        return type switch
        {
            "TemplateProcessing" => ReadTemplate(p),
            "ByteLevel" => new TemplatePostProcessor([null]),
            "RobertaProcessing" or "BertProcessing" => new TemplatePostProcessor([ReadIdPair(p, "cls", type), null, ReadIdPair(p, "sep", type)]),
            "Sequence" => new SequencePostProcessor([.. Array(p, "processors", "Sequence post-processor").Select(e => ReadPostProcessor(e)!)]),
            _ => throw new TokenizerFormatException($"Unsupported post-processor type '{type}'."),
        };
    }

    private static int[] ReadIdPair(JsonElement p, string name, string what)
    {
        if (!p.TryGetProperty(name, out var pair) || pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
        {
            throw new TokenizerFormatException($"{what} needs '{name}' as [token, id].");
        }

        return [pair[1].GetInt32()];
    }

    private static TemplatePostProcessor ReadTemplate(JsonElement p)
    {
        var specialTokens = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (p.TryGetProperty("special_tokens", out var specials) && specials.ValueKind == JsonValueKind.Object)
        {
            foreach (var special in specials.EnumerateObject())
            {
                specialTokens[special.Name] = [.. Array(special.Value, "ids", $"Template special token '{special.Name}'").Select(e => e.GetInt32())];
            }
        }

        var items = new List<int[]?>();
        foreach (var piece in Array(p, "single", "TemplateProcessing"))
        {
            if (piece.TryGetProperty("Sequence", out _))
            {
                items.Add(null);
            }
            else if (piece.TryGetProperty("SpecialToken", out var special))
            {
                var id = RequireString(special, "id", "A template special token");
                items.Add(specialTokens.TryGetValue(id, out var ids)
                    ? ids
                    : throw new TokenizerFormatException($"TemplateProcessing uses '{id}', which is not in its special_tokens."));
            }
            else
            {
                throw new TokenizerFormatException("TemplateProcessing items must be {\"Sequence\": ...} or {\"SpecialToken\": ...}.");
            }
        }

        return new TemplatePostProcessor(items);
    }

    private static ITokenDecoder? ReadDecoder(JsonElement? element)
    {
        if (element is not { } d)
        {
            return null;
        }

        var type = TypeOf(d, "decoder");
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "Metaspace" => new MetaspaceDecoder(GetChar(d, "replacement", '\u2581', "Metaspace decoder"), ReadPrependScheme(d)),
            "Replace" => new ReplaceDecoder(ReadPattern(d, "Replace decoder"), RequireString(d, "content", "Replace decoder")),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => new StripDecoder(GetChar(d, "content", ' ', "Strip decoder"), GetInt(d, "start", 0), GetInt(d, "stop", 0)),
            "WordPiece" => new WordPieceDecoder(GetString(d, "prefix") ?? "##", GetBool(d, "cleanup", true)),
            "BPEDecoder" => new BpeSuffixDecoder(GetString(d, "suffix") ?? "</w>"),
            "Sequence" => new SequenceDecoder([.. Array(d, "decoders", "Sequence decoder").Select(e => ReadDecoder(e)!)]),
            _ => throw new TokenizerFormatException($"Unsupported decoder type '{type}'."),
        };
    }

    private static TokenizerTruncation? ReadTruncation(JsonElement? element)
    {
        if (element is not { } t)
        {
            return null;
        }

        var maxLength = GetInt(t, "max_length", 512);
        if (maxLength < 0)
        {
            throw new TokenizerFormatException("truncation.max_length must not be negative.");
        }

        return new TokenizerTruncation(maxLength, string.Equals(GetString(t, "direction"), "Left", StringComparison.Ordinal));
    }

    private static TokenizerPadding? ReadPadding(JsonElement? element)
    {
        if (element is not { } p)
        {
            return null;
        }

        int? fixedLength = null;
        if (p.TryGetProperty("strategy", out var strategy) && strategy.ValueKind == JsonValueKind.Object)
        {
            fixedLength = strategy.TryGetProperty("Fixed", out var f) && f.ValueKind == JsonValueKind.Number
                ? f.GetInt32()
                : throw new TokenizerFormatException("padding.strategy must be \"BatchLongest\" or {\"Fixed\": n}.");
        }

        int? multiple = p.TryGetProperty("pad_to_multiple_of", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : null;
        return new TokenizerPadding(fixedLength, multiple, GetInt(p, "pad_id", 0), GetString(p, "pad_token") ?? "[PAD]",
            string.Equals(GetString(p, "direction"), "Left", StringComparison.Ordinal));
    }
}
