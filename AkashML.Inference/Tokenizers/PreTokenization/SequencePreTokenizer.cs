namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>Applies pre-tokenizers one after another.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<IPreTokenizer> steps) : IPreTokenizer
{
    public List<PreToken> PreTokenize(List<PreToken> pieces)
    {
        foreach (var step in steps)
        {
            pieces = step.PreTokenize(pieces);
        }

        return pieces;
    }
}
