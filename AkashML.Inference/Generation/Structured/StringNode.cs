namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A JSON string, quotes included, with <c>minLength</c>/<c>maxLength</c> counted in characters. Escapes are the
/// one-letter ones only (<c>\uXXXX</c> could write half a surrogate pair). A bounded string takes ASCII only: a
/// byte-level token's text is U+FFFD for part of a character, so its length could not be counted.
/// </summary>
public sealed class StringNode : LeafNode
{
    // Position = count × 4 + phase; the count stops at the largest bound, so unbounded strings have one position.
    private const int Opening = 0;
    private const int Content = 1;
    private const int Escape = 2;

    public StringNode(int minLength = 0, int? maxLength = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        if (maxLength < minLength)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength is below minLength.");
        }

        MinChars = minLength;
        MaxChars = maxLength ?? int.MaxValue;
        CountCap = maxLength ?? minLength;
        MinLength = 2 + minLength;
    }

    public int MinChars { get; }

    public int MaxChars { get; }

    private int CountCap { get; }

    private bool IsBounded => MinChars > 0 || MaxChars != int.MaxValue;

    public override bool TryStep(int position, char c, out int next)
    {
        var (count, phase) = (position >> 2, position & 3);
        next = position;
        switch (phase)
        {
            case Opening:
                next = Content;
                return c == '"';
            case Escape:
                next = Encode(count + 1, Content);
                return c is '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't';
            default:
                if (c == '"')
                {
                    next = Closed;
                    return count >= MinChars;
                }

                if (c < 0x20 || count >= MaxChars || (c >= 128 && IsBounded))
                {
                    return false;
                }

                next = c == '\\' ? Encode(count, Escape) : Encode(count + 1, Content);
                return true;
        }
    }

    public override int MinRemaining(int position)
    {
        var (count, phase) = (position >> 2, position & 3);
        return phase switch
        {
            Opening => 2 + MinChars,
            Escape => 2 + Math.Max(0, MinChars - count - 1),
            _ => 1 + Math.Max(0, MinChars - count),
        };
    }

    public override bool AcceptsNonAscii(int position) => (position & 3) == Content && !IsBounded;

    public override IEnumerable<char> ShortestPathCharacters => MinChars > 0 ? ['"', 'a'] : ['"'];

    private int Encode(int count, int phase) => (Math.Min(count, CountCap) << 2) | phase;
}
