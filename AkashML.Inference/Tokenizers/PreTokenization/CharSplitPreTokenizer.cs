using System.Text;

namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>Cuts at every code point a predicate selects (WhitespaceSplit, Punctuation, Digits, CharDelimiterSplit).</summary>
internal sealed class CharSplitPreTokenizer(Func<Rune, bool> isDelimiter, SplitBehavior behavior) : IPreTokenizer
{
    public List<PreToken> PreTokenize(List<PreToken> pieces)
    {
        var output = new List<PreToken>(pieces.Count * 2);
        var matches = new List<(int Start, int Length)>();
        foreach (var piece in pieces)
        {
            matches.Clear();
            PieceSplitter.CharMatches(piece.Text, isDelimiter, matches);
            PieceSplitter.Split(piece, matches, behavior, invert: false, output);
        }

        return output;
    }
}
