using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>The Split pre-tokenizer: cut at every match of a string or regex, with a delimiter behaviour.</summary>
internal sealed class RegexSplitPreTokenizer(TokenizerRegex regex, SplitBehavior behavior, bool invert) : IPreTokenizer
{
    public List<PreToken> PreTokenize(List<PreToken> pieces)
    {
        var output = new List<PreToken>(pieces.Count * 2);
        var matches = new List<(int Start, int Length)>();
        foreach (var piece in pieces)
        {
            matches.Clear();
            regex.FindMatches(piece.Text, matches);
            PieceSplitter.Split(piece, matches, behavior, invert, output);
        }

        return output;
    }
}
