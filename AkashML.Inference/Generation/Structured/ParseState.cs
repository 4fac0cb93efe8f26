namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// Where a sequence stands in its grammar: every stack still alive (an <c>anyOf</c> keeps one per branch until the
/// text tells them apart), plus whether the document may end here. Immutable; equal states compare equal.
/// </summary>
internal sealed class ParseState : IEquatable<ParseState>
{
    private readonly int _hash;

    public ParseState(ParseFrame[] stacks, bool isFinished)
    {
        Stacks = stacks;
        IsFinished = isFinished;
        var hash = isFinished ? 1 : 0;
        var min = isFinished ? 0 : GrammarNode.Unbounded;
        foreach (var stack in stacks)
        {
            hash += stack.GetHashCode();
            min = Math.Min(min, stack.MinRemaining);
        }

        _hash = hash;
        MinRemaining = min;
    }

    /// <summary>Stacks that can still read characters.</summary>
    public ParseFrame[] Stacks { get; }

    /// <summary>True when the text so far is a whole document (the end of sequence may come).</summary>
    public bool IsFinished { get; }

    /// <summary>True when nothing may follow: the document is done.</summary>
    public bool IsComplete => IsFinished && Stacks.Length == 0;

    /// <summary>Characters in the shortest way to finish (0 when finished).</summary>
    public int MinRemaining { get; }

    public bool Equals(ParseState? other)
    {
        if (other is null || other._hash != _hash || other.IsFinished != IsFinished || other.Stacks.Length != Stacks.Length)
        {
            return false;
        }

        foreach (var stack in Stacks)
        {
            if (Array.IndexOf(other.Stacks, stack) < 0)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ParseState other && Equals(other);

    public override int GetHashCode() => _hash;
}
