namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>Splits normalized text into the pieces the model tokenizes one by one.</summary>
internal interface IPreTokenizer
{
    /// <summary>Returns the pieces that <paramref name="pieces"/> split into, in order; empty pieces are dropped.</summary>
    List<PreToken> PreTokenize(List<PreToken> pieces);
}
