using System.Collections.Concurrent;
using System.Globalization;
using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A grammar bound to a model's vocabulary: for each parse state met, the tokens that may come next and the
/// characters each leaves to write, computed once and cached (thread-safe; share one per grammar and model).
/// </summary>
/// <remarks>
/// A miss tries one character per ASCII code first and then simulates only the tokens whose first character
/// passed (as <see cref="JsonConstraint"/> does); tokens led by non-ASCII text are tried only where free text may
/// come. A hit costs the caller one pass over the state's allowed tokens. The cache stops growing past
/// <see cref="MaxCachedTokens"/> stored ids; later states are then computed each time.
/// </remarks>
public sealed class GrammarMasks
{
    /// <summary>Most token ids kept across all cached states (about 8 bytes each).</summary>
    public const int MaxCachedTokens = 4 * 1024 * 1024;

    private readonly ConcurrentDictionary<ParseState, StateMask> _masks = new();
    private long _cachedTokens;

    /// <summary>Binds <paramref name="grammar"/>; throws <see cref="SchemaNotSupportedException"/> when the vocabulary cannot spell it.</summary>
    public GrammarMasks(StructuredGrammar grammar, JsonVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Grammar = grammar;
        Vocabulary = vocabulary;
        RequireSingleCharacterTokens(grammar, vocabulary);
        Initial = StructuredParser.Initial(grammar.Root);
    }

    public StructuredGrammar Grammar { get; }

    public JsonVocabulary Vocabulary { get; }

    /// <summary>Number of parse states whose masks are cached.</summary>
    public int CachedStates => _masks.Count;

    internal ParseState Initial { get; }

    internal StateMask MaskFor(ParseState state)
    {
        if (_masks.TryGetValue(state, out var mask))
        {
            return mask;
        }

        mask = Compute(state);
        if (Interlocked.Add(ref _cachedTokens, mask.Tokens.Length) <= MaxCachedTokens)
        {
            _masks.TryAdd(state, mask);
        }

        return mask;
    }

    private StateMask Compute(ParseState state)
    {
        var parser = new StructuredParser();
        var tokens = new List<int>();
        var remaining = new List<int>();
        void Try(int id)
        {
            if (parser.Advance(state, Vocabulary.TextOf(id)) is { } next)
            {
                tokens.Add(id);
                remaining.Add(next.MinRemaining);
            }
        }

        Span<char> one = stackalloc char[1];
        var whitespace = false;
        for (var c = 0; c < 128; c++)
        {
            one[0] = (char)c;
            if (parser.Advance(state, one) is null)
            {
                continue;
            }

            whitespace |= c is ' ' or '\t' or '\n' or '\r';
            foreach (var id in Vocabulary.Group(c))
            {
                Try(id);
            }
        }

        if (whitespace)
        {
            for (var group = JsonVocabulary.AfterWhitespaceGroups; group <= JsonVocabulary.WhitespaceOnlyGroup; group++)
            {
                foreach (var id in Vocabulary.Group(group))
                {
                    Try(id);
                }
            }
        }

        if (state.Stacks.Any(stack => ((LeafNode)stack.Node).AcceptsNonAscii(stack.Position)))
        {
            foreach (var id in Vocabulary.NonAsciiLedTokens)
            {
                Try(id);
            }
        }

        if (state.IsFinished)
        {
            foreach (var id in Vocabulary.EndTokens)
            {
                tokens.Add(id);
                remaining.Add(0);
            }
        }

        return new StateMask([.. tokens], [.. remaining], remaining.Count == 0 ? 0 : remaining.Max());
    }

    private static void RequireSingleCharacterTokens(StructuredGrammar grammar, JsonVocabulary vocabulary)
    {
        var single = new HashSet<char>();
        for (var id = 0; id < vocabulary.TokenCount; id++)
        {
            if (vocabulary.KindOf(id) == JsonVocabulary.Ordinary && vocabulary.LengthOf(id) == 1)
            {
                single.Add(vocabulary.TextOf(id)[0]);
            }
        }

        foreach (var leaf in grammar.Nodes.OfType<LeafNode>())
        {
            foreach (var c in leaf.ShortestPathCharacters)
            {
                if (!single.Contains(c))
                {
                    throw new SchemaNotSupportedException(
                        string.Create(CultureInfo.InvariantCulture,
                            $"{grammar.Parameter}: the model's vocabulary has no single-character token for '{c}' (U+{(int)c:X4}), so output that needs it cannot be guaranteed to fit max_tokens."),
                        grammar.Parameter);
                }
            }
        }
    }
}
