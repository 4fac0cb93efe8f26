namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A grammar node that reads characters itself. Its parse position is one <see cref="int"/> (small and
/// comparable, so identical positions share cached token masks); <see cref="Closed"/> means it has matched and
/// can take nothing more.
/// </summary>
public abstract class LeafNode : GrammarNode
{
    /// <summary>The position once the leaf can take nothing more; the parser pops it at once.</summary>
    public const int Closed = -1;

    /// <summary>The position before the first character.</summary>
    public virtual int Start => 0;

    /// <summary>Moves past <paramref name="c"/>, or returns false when it cannot come next.</summary>
    public abstract bool TryStep(int position, char c, out int next);

    /// <summary>True when the text read so far is a whole match that may also be followed by more (a number's digits).</summary>
    public virtual bool CanEnd(int position) => false;

    /// <summary>Characters still needed from <paramref name="position"/> to the shortest whole match.</summary>
    public abstract int MinRemaining(int position);

    /// <summary>True when a character outside ASCII could come next (decides whether non-ASCII tokens are tried).</summary>
    public virtual bool AcceptsNonAscii(int position) => false;

    /// <summary>Characters the shortest completions write, so the vocabulary can be checked for single-character tokens.</summary>
    public abstract IEnumerable<char> ShortestPathCharacters { get; }
}
