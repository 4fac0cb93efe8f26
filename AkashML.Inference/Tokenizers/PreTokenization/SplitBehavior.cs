namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>What happens to a delimiter when a piece is split on it (tokenizers' SplitDelimiterBehavior).</summary>
internal enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}
