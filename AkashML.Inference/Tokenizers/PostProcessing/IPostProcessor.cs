namespace AkashML.Inference.Tokenizers.PostProcessing;

/// <summary>Adds the special tokens of a single sequence (BOS, CLS/SEP, ...).</summary>
internal interface IPostProcessor
{
    /// <summary>How many ids <see cref="Process"/> adds when asked to add special tokens.</summary>
    int AddedTokenCount { get; }

    /// <summary>
    /// Returns the final ids; without <paramref name="addSpecialTokens"/> the ids are returned unchanged.
    /// <paramref name="surfaces"/>, when given, runs parallel to the ids and is updated the same way (null for added ids).
    /// </summary>
    List<int> Process(List<int> ids, ref List<string?>? surfaces, bool addSpecialTokens);
}
