namespace AkashML.Inference.Generation.Structured;

/// <summary>Exactly <see cref="Text"/>: punctuation, property keys, <c>enum</c>/<c>const</c> values, <c>true</c>/<c>null</c>.</summary>
public sealed class LiteralNode : LeafNode
{
    public LiteralNode(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        Text = text;
        MinLength = text.Length;
    }

    public string Text { get; }

    public override bool TryStep(int position, char c, out int next)
    {
        next = position + 1 == Text.Length ? Closed : position + 1;
        return Text[position] == c;
    }

    public override int MinRemaining(int position) => Text.Length - position;

    public override bool AcceptsNonAscii(int position) => Text[position] >= 128;

    public override IEnumerable<char> ShortestPathCharacters => Text;

    public override string ToString() => Text;
}
