namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A node of a structured-output grammar: the text it matches is one of a set of strings. Containers
/// (<see cref="SequenceNode"/>, <see cref="ChoiceNode"/>) are expanded away while parsing; leaves match characters.
/// Nodes may form cycles (recursive <c>$ref</c>s), so the compiler fills <see cref="MinLength"/> by a fixpoint.
/// </summary>
public abstract class GrammarNode
{
    /// <summary>Means "no finite text": the node cannot be completed.</summary>
    internal const int Unbounded = int.MaxValue / 4;

    /// <summary>Characters in the shortest text the node matches.</summary>
    public int MinLength { get; internal set; } = Unbounded;

    /// <summary>Dense index in its grammar (stable hash input).</summary>
    internal int Id { get; set; }

    internal static int SaturatingAdd(int a, int b) => Math.Min(a + b, Unbounded);
}
