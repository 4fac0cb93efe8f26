namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A compiled output grammar (from a JSON Schema or a set of strict tools), independent of any vocabulary:
/// immutable, shareable between requests and models. <see cref="Key"/> identifies it for mask caches.
/// </summary>
public sealed class StructuredGrammar
{
    internal StructuredGrammar(GrammarNode root, IReadOnlyList<GrammarNode> nodes, string key, string parameter, GrammarSource source)
    {
        Source = source;
        Root = root;
        Nodes = nodes;
        Key = key;
        Parameter = parameter;
        MinLength = root.MinLength;
    }

    public GrammarNode Root { get; }

    /// <summary>What it was compiled from: how it travels to another process, which compiles it again.</summary>
    public GrammarSource Source { get; }

    /// <summary>Every node, indexed by id.</summary>
    public IReadOnlyList<GrammarNode> Nodes { get; }

    /// <summary>Identifies the grammar: equal keys mean equal grammars.</summary>
    public string Key { get; }

    /// <summary>The API parameter it came from, for error messages (<c>response_format</c>, <c>tools</c>).</summary>
    public string Parameter { get; }

    /// <summary>
    /// Characters in the shortest valid output. Every character it needs has a one-character token (checked when
    /// bound to a vocabulary), so this many tokens always suffice.
    /// </summary>
    public int MinLength { get; }
}
