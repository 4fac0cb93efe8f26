namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>SentencePiece style: spaces become the replacement character (▁), which may be prepended and split on.</summary>
internal sealed class MetaspacePreTokenizer(char replacement, PrependScheme prependScheme, bool split) : IPreTokenizer
{
    public List<PreToken> PreTokenize(List<PreToken> pieces)
    {
        var output = new List<PreToken>(pieces.Count * 4);
        var matches = new List<(int Start, int Length)>();
        foreach (var piece in pieces)
        {
            var text = piece.Text.Replace(' ', replacement);
            var prepend = prependScheme switch
            {
                PrependScheme.Always => !text.StartsWith(replacement),
                PrependScheme.First => !text.StartsWith(replacement) && piece.AtStart,
                PrependScheme.Never => false,
                _ => false,
            };
            if (prepend && text.Length > 0)
            {
                text = replacement + text;
            }

            var current = piece with { Text = text };
            if (!split)
            {
                if (text.Length > 0)
                {
                    output.Add(current);
                }

                continue;
            }

            matches.Clear();
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == replacement)
                {
                    matches.Add((i, 1));
                }
            }

            PieceSplitter.Split(current, matches, SplitBehavior.MergedWithNext, invert: false, output);
        }

        return output;
    }
}
