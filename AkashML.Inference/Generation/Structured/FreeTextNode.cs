namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// Any text that does not contain <see cref="Trigger"/> (the prose before or between tool calls): once the model
/// writes the trigger, only the branch that follows it in the grammar survives. The position is how much of the
/// trigger the text ends with (Knuth–Morris–Pratt), so there are only as many positions as trigger characters.
/// </summary>
public sealed class FreeTextNode : LeafNode
{
    private readonly int[] _fallback;

    public FreeTextNode(string trigger)
    {
        ArgumentException.ThrowIfNullOrEmpty(trigger);
        Trigger = trigger;
        MinLength = 0;
        _fallback = new int[trigger.Length + 1];
        _fallback[0] = -1;
        for (int i = 1, k = -1; i <= trigger.Length; i++)
        {
            while (k >= 0 && trigger[k] != trigger[i - 1])
            {
                k = _fallback[k];
            }

            _fallback[i] = ++k;
        }
    }

    public string Trigger { get; }

    public override bool TryStep(int position, char c, out int next)
    {
        var matched = position;
        while (matched >= 0 && Trigger[matched] != c)
        {
            matched = _fallback[matched];
        }

        next = matched + 1;
        return next < Trigger.Length;
    }

    public override bool CanEnd(int position) => true;

    public override int MinRemaining(int position) => 0;

    public override bool AcceptsNonAscii(int position) => true;

    public override IEnumerable<char> ShortestPathCharacters => [];
}
