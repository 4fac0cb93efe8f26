namespace AkashML.Inference.Generation.Structured;

/// <summary>One ASCII character out of a set (the digits of a date, the hex of a UUID).</summary>
public sealed class CharClassNode : LeafNode
{
    private readonly bool[] _allowed = new bool[128];

    /// <param name="characters">The set, as a list of characters and <c>a-z</c> ranges.</param>
    public CharClassNode(string characters)
    {
        ArgumentException.ThrowIfNullOrEmpty(characters);
        for (var i = 0; i < characters.Length; i++)
        {
            if (i + 2 < characters.Length && characters[i + 1] == '-')
            {
                for (var c = characters[i]; c <= characters[i + 2]; c++)
                {
                    _allowed[c] = true;
                }

                i += 2;
            }
            else
            {
                _allowed[characters[i]] = true;
            }
        }

        MinLength = 1;
        First = (char)Array.IndexOf(_allowed, true);
    }

    /// <summary>The lowest character of the set (what a shortest completion writes).</summary>
    public char First { get; }

    public override bool TryStep(int position, char c, out int next)
    {
        next = Closed;
        return c < 128 && _allowed[c];
    }

    public override int MinRemaining(int position) => 1;

    public override IEnumerable<char> ShortestPathCharacters => [First];
}
