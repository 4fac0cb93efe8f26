using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>GPT-2 style: optional prefix space, split with the GPT-2 regex, then map UTF-8 bytes to the byte alphabet.</summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizer
{
    /// <summary>The split pattern of GPT-2 (also used by RoBERTa, GPT-NeoX, Phi-2, Whisper and others).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly TokenizerRegex _regex = TokenizerRegex.FromOniguruma(Gpt2Pattern);

    public List<PreToken> PreTokenize(List<PreToken> pieces)
    {
        var output = new List<PreToken>(pieces.Count * 4);
        var matches = new List<(int Start, int Length)>();
        var split = new List<PreToken>();
        foreach (var piece in pieces)
        {
            var current = piece;
            if (addPrefixSpace && current.Text.Length > 0 && !current.Text.StartsWith(' '))
            {
                current = current with { Text = " " + current.Text };
            }

            split.Clear();
            if (useRegex)
            {
                matches.Clear();
                _regex.FindMatches(current.Text, matches);
                PieceSplitter.Split(current, matches, SplitBehavior.Isolated, invert: false, split);
            }
            else if (current.Text.Length > 0)
            {
                split.Add(current);
            }

            foreach (var s in split)
            {
                output.Add(s with { Text = ByteLevelAlphabet.Encode(s.Text) });
            }
        }

        return output;
    }
}
