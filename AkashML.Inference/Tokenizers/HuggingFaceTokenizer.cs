using System.Text;
using AkashML.Inference.Tokenizers.Loading;
using AkashML.Inference.Tokenizers.PreTokenization;

namespace AkashML.Inference.Tokenizers;

/// <summary>
/// A tokenizer defined by a Hugging Face <c>tokenizer.json</c>: added tokens, normalizer, pre-tokenizer, model
/// (BPE, WordPiece, Unigram, WordLevel), post-processor, decoder, and the truncation/padding saved in the file.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class HuggingFaceTokenizer : ITokenizer
{
    private readonly TokenizerDefinition _definition;
    private readonly AddedTokenMatcher _rawMatcher;
    private readonly AddedTokenMatcher _normalizedMatcher;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly Dictionary<int, string> _addedDecodeForm;
    private readonly HashSet<string> _specialContents;

    private HuggingFaceTokenizer(TokenizerDefinition definition, TokenizerConfig config)
    {
        _definition = definition;
        Config = config;
        Truncation = definition.Truncation;
        Padding = definition.Padding;
        _addedById = [];
        _addedByContent = new Dictionary<string, int>(StringComparer.Ordinal);
        _addedDecodeForm = [];
        _specialContents = new HashSet<string>(StringComparer.Ordinal);
        var raw = new List<(string, AddedToken)>();
        var normalized = new List<(string, AddedToken)>();
        AddedTokens = AssignIds(definition);
        foreach (var token in AddedTokens)
        {
            _addedById[token.Id] = token;
            _addedByContent[token.Content] = token.Id;
            if (token.Special)
            {
                _specialContents.Add(token.Content);
            }

            if (token.Normalized)
            {
                // Normalized tokens are looked for in normalized text, so their pattern is their normalized content;
                // the reference also decodes them from that form.
                var pattern = definition.Normalizer?.Normalize(token.Content) ?? token.Content;
                normalized.Add((pattern, token));
                _addedDecodeForm[token.Id] = pattern;
            }
            else
            {
                raw.Add((token.Content, token));
                _addedDecodeForm[token.Id] = token.Content;
            }
        }

        _rawMatcher = new AddedTokenMatcher(raw);
        _normalizedMatcher = new AddedTokenMatcher(normalized);
        VocabularySize = CountVocabulary();
    }

    private HuggingFaceTokenizer(HuggingFaceTokenizer source, TokenizerTruncation? truncation, TokenizerPadding? padding)
    {
        _definition = source._definition;
        _rawMatcher = source._rawMatcher;
        _normalizedMatcher = source._normalizedMatcher;
        _addedById = source._addedById;
        _addedByContent = source._addedByContent;
        _addedDecodeForm = source._addedDecodeForm;
        _specialContents = source._specialContents;
        AddedTokens = source.AddedTokens;
        Config = source.Config;
        VocabularySize = source.VocabularySize;
        Truncation = truncation;
        Padding = padding;
    }

    /// <summary>The tokenizer_config.json settings found beside the file (or <see cref="TokenizerConfig.Empty"/>).</summary>
    public TokenizerConfig Config { get; }

    /// <summary>Truncation applied by <see cref="Encode"/>, as saved in tokenizer.json; null for none.</summary>
    public TokenizerTruncation? Truncation { get; }

    /// <summary>Padding applied by <see cref="Encode"/>, as saved in tokenizer.json; null for none.</summary>
    public TokenizerPadding? Padding { get; }

    /// <summary>The added tokens (special and normal) in file order, with the ids they actually get.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Distinct token strings of the vocabulary and the added tokens (the reference's vocab size with added tokens).</summary>
    public int VocabularySize { get; }

    /// <summary>Loads a tokenizer.json file and the tokenizer_config.json beside it, if any.</summary>
    /// <exception cref="TokenizerFormatException">The file is malformed or uses an unsupported feature.</exception>
    public static HuggingFaceTokenizer FromFile(string tokenizerJsonPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenizerJsonPath);
        var json = File.ReadAllText(tokenizerJsonPath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath))!;
        return FromJson(json, TokenizerConfig.FromDirectory(directory));
    }

    /// <summary>Loads <c>tokenizer.json</c> (and <c>tokenizer_config.json</c> when present) from a model folder.</summary>
    public static HuggingFaceTokenizer FromDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No tokenizer.json in '{directory}'.", path);
        }

        return FromFile(path);
    }

    /// <summary>Builds a tokenizer from tokenizer.json text.</summary>
    /// <exception cref="TokenizerFormatException">The JSON is malformed or uses an unsupported feature.</exception>
    public static HuggingFaceTokenizer FromJson(string tokenizerJson, TokenizerConfig? config = null) =>
        new(TokenizerJsonReader.Read(tokenizerJson), config ?? TokenizerConfig.Empty);

    /// <summary>The same tokenizer without the truncation and padding saved in the file (for generation prompts).</summary>
    public HuggingFaceTokenizer WithoutTruncationAndPadding() =>
        Truncation is null && Padding is null ? this : new HuggingFaceTokenizer(this, null, null);

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = false)
    {
        List<string?>? surfaces = null;
        return EncodeIds(text, addSpecialTokens, ref surfaces, out _);
    }

    /// <summary>Encodes and also returns the token strings and the attention mask.</summary>
    public TokenizerEncoding EncodeDetailed(string text, bool addSpecialTokens = false)
    {
        List<string?>? surfaces = [];
        var ids = EncodeIds(text, addSpecialTokens, ref surfaces, out var padded);
        var tokens = new string[ids.Count];
        var mask = new int[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var surface = surfaces is not null && i < surfaces.Count ? surfaces[i] : null;
            tokens[i] = surface ?? (padded[i] ? Padding!.PadToken : DecodeForm(ids[i]) ?? string.Empty);
            mask[i] = padded[i] ? 0 : 1;
        }

        return new TokenizerEncoding(ids, tokens, mask);
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            var token = DecodeForm(id);
            // Like the reference, "special" is judged on the decoded string: a normalized special token whose
            // normalized form differs from its content (Llama 2's "▁<s>") is not skipped.
            if (token is null || (skipSpecialTokens && _specialContents.Contains(token)))
            {
                continue;
            }

            tokens.Add(token);
        }

        return _definition.Decoder is { } decoder ? string.Concat(decoder.DecodeChain(tokens)) : string.Join(' ', tokens);
    }

    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _addedByContent.TryGetValue(token, out var id) ? id : _definition.Model.TokenToId(token);
    }

    public string? IdToToken(int id) => _addedById.TryGetValue(id, out var added) ? added.Content : _definition.Model.IdToToken(id);

    /// <summary>True when the id is a special added token (dropped by decoding with skipSpecialTokens).</summary>
    public bool IsSpecialToken(int id) => _addedById.TryGetValue(id, out var added) && _specialContents.Contains(added.Content);

    public IIncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false) => new IncrementalDecoder(this, skipSpecialTokens);

    private string? DecodeForm(int id) => _addedDecodeForm.TryGetValue(id, out var form) ? form : _definition.Model.IdToToken(id);

    /// <param name="surfaces">When not null, filled parallel to the ids with reference token strings that differ from the vocabulary's.</param>
    private List<int> EncodeIds(string text, bool addSpecialTokens, ref List<string?>? surfaces, out bool[] padded)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        foreach (var (token, start, end) in _rawMatcher.Split(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                surfaces?.Add(text[start..end]);
                continue;
            }

            var piece = text[start..end];
            var normalized = _definition.Normalizer?.Normalize(piece) ?? piece;
            foreach (var (inner, innerStart, innerEnd) in _normalizedMatcher.Split(normalized))
            {
                if (inner is not null)
                {
                    ids.Add(inner.Id);
                    surfaces?.Add(normalized[innerStart..innerEnd]);
                    continue;
                }

                if (innerEnd > innerStart)
                {
                    TokenizeText(normalized[innerStart..innerEnd], start == 0 && innerStart == 0, ids, surfaces);
                }
            }
        }

        ids = Truncate(ids, ref surfaces, addSpecialTokens);
        if (_definition.PostProcessor is { } processor)
        {
            ids = processor.Process(ids, ref surfaces, addSpecialTokens);
        }

        return Pad(ids, out padded);
    }

    private void TokenizeText(string text, bool atStart, List<int> ids, List<string?>? surfaces)
    {
        var model = _definition.Model;
        if (_definition.PreTokenizer is not { } preTokenizer)
        {
            model.Tokenize(text, ids, surfaces);
            return;
        }

        foreach (var piece in preTokenizer.PreTokenize([new PreToken(text, atStart)]))
        {
            model.Tokenize(piece.Text, ids, surfaces);
        }
    }

    private List<int> Truncate(List<int> ids, ref List<string?>? surfaces, bool addSpecialTokens)
    {
        if (Truncation is not { } truncation)
        {
            return ids;
        }

        var added = addSpecialTokens ? _definition.PostProcessor?.AddedTokenCount ?? 0 : 0;
        var max = truncation.MaxLength - added;
        if (max < 0)
        {
            throw new InvalidOperationException(
                $"Truncation max_length {truncation.MaxLength} is smaller than the {added} special tokens the post-processor adds.");
        }

        if (ids.Count <= max)
        {
            return ids;
        }

        var from = truncation.FromLeft ? ids.Count - max : 0;
        surfaces = surfaces?.GetRange(from, max);
        return ids.GetRange(from, max);
    }

    private List<int> Pad(List<int> ids, out bool[] padded)
    {
        padded = new bool[ids.Count];
        if (Padding is not { } padding)
        {
            return ids;
        }

        var target = padding.FixedLength ?? ids.Count;
        if (padding.PadToMultipleOf is > 0 and var multiple && target % multiple != 0)
        {
            target += multiple - (target % multiple);
        }

        if (ids.Count >= target)
        {
            return ids;
        }

        var count = target - ids.Count;
        var result = new List<int>(target);
        padded = new bool[target];
        if (padding.PadLeft)
        {
            result.AddRange(Enumerable.Repeat(padding.PadId, count));
            result.AddRange(ids);
            Array.Fill(padded, true, 0, count);
        }
        else
        {
            result.AddRange(ids);
            result.AddRange(Enumerable.Repeat(padding.PadId, count));
            Array.Fill(padded, true, ids.Count, count);
        }

        return result;
    }

    /// <summary>
    /// The reference ignores the ids written in added_tokens: a token already in the model vocabulary keeps that id,
    /// the others are numbered from the model's vocabulary size, in file order.
    /// </summary>
    private static List<AddedToken> AssignIds(TokenizerDefinition definition)
    {
        var result = new List<AddedToken>(definition.AddedTokens.Count);
        var byContent = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextId = definition.Model.VocabularyCount;
        foreach (var token in definition.AddedTokens)
        {
            if (token.Content.Length == 0)
            {
                continue;
            }

            if (byContent.TryGetValue(token.Content, out var index))
            {
                // A repeated content updates the earlier entry's flags and keeps its id.
                result[index] = token with { Id = result[index].Id };
                continue;
            }

            var id = definition.Model.TokenToId(token.Content) ?? nextId++;
            byContent[token.Content] = result.Count;
            result.Add(token with { Id = id });
        }

        return result;
    }

    private int CountVocabulary()
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (token, _) in _definition.Model.Vocabulary)
        {
            tokens.Add(token);
        }

        foreach (var token in AddedTokens)
        {
            tokens.Add(token.Content);
        }

        return tokens.Count;
    }

    /// <summary>Decodes a growing id sequence, holding text back while it ends in an incomplete character.</summary>
    /// <remarks>
    /// Decodes a window that starts a few tokens back, so decoders that treat the first token specially (Metaspace,
    /// Strip) see the same context as a full decode; only text past what was already emitted is returned.
    /// </remarks>
    private sealed class IncrementalDecoder(HuggingFaceTokenizer tokenizer, bool skipSpecialTokens) : IIncrementalDecoder
    {
        private readonly List<int> _window = [];
        private string _prefix = string.Empty;
        private int _prefixIndex;

        public string Append(int tokenId)
        {
            _window.Add(tokenId);
            var text = tokenizer.Decode(_window, skipSpecialTokens);
            if (text.Length <= _prefix.Length || text.EndsWith('\uFFFD'))
            {
                return string.Empty;
            }

            // The window's decode extends the previous one; what lies past it is new.
            var delta = text[_prefix.Length..];
            var newPrefixIndex = _window.Count - _prefixIndex;
            _window.RemoveRange(0, _prefixIndex);
            _prefix = tokenizer.Decode(_window, skipSpecialTokens);
            _prefixIndex = newPrefixIndex;
            return delta;
        }

        public string Flush()
        {
            var text = tokenizer.Decode(_window, skipSpecialTokens);
            var rest = text.Length > _prefix.Length ? text[_prefix.Length..] : string.Empty;
            _window.Clear();
            _prefix = string.Empty;
            _prefixIndex = 0;
            return rest;
        }
    }
}
