namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// A JSON number without exponent: at most <see cref="MaxIntegerDigits"/> integer digits (exact in a double and a
/// long) and, unless <see cref="IsInteger"/>, at most <see cref="MaxFractionDigits"/> decimals. The number ends
/// where the next character cannot extend it, so most positions can both end and go on.
/// </summary>
public sealed class NumberNode : LeafNode
{
    public const int MaxIntegerDigits = 15;
    public const int MaxFractionDigits = 6;

    // Position = phase × 32 + digits.
    private const int Sign = 0;
    private const int AfterMinus = 1;
    private const int AfterZero = 2;
    private const int IntegerDigits = 3;
    private const int AfterPoint = 4;
    private const int FractionDigits = 5;

    public NumberNode(bool isInteger)
    {
        IsInteger = isInteger;
        MinLength = 1;
    }

    public bool IsInteger { get; }

    public override bool TryStep(int position, char c, out int next)
    {
        var (phase, digits) = (position >> 5, position & 31);
        var isDigit = c is >= '0' and <= '9';
        next = phase switch
        {
            Sign or AfterMinus when c == '0' => At(AfterZero, 0),
            Sign or AfterMinus when isDigit => At(IntegerDigits, 1),
            Sign when c == '-' => At(AfterMinus, 0),
            AfterZero or IntegerDigits when c == '.' && !IsInteger => At(AfterPoint, 0),
            IntegerDigits when isDigit && digits < MaxIntegerDigits => At(IntegerDigits, digits + 1),
            AfterPoint when isDigit => At(FractionDigits, 1),
            FractionDigits when isDigit && digits < MaxFractionDigits => At(FractionDigits, digits + 1),
            _ => Closed,
        };
        return next != Closed;
    }

    public override bool CanEnd(int position) => (position >> 5) is AfterZero or IntegerDigits or FractionDigits;

    public override int MinRemaining(int position) => CanEnd(position) ? 0 : 1;

    public override IEnumerable<char> ShortestPathCharacters => ['0'];

    private static int At(int phase, int digits) => (phase << 5) | digits;
}
