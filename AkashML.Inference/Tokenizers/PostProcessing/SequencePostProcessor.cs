namespace AkashML.Inference.Tokenizers.PostProcessing;

/// <summary>Applies post-processors one after another.</summary>
internal sealed class SequencePostProcessor(IReadOnlyList<IPostProcessor> steps) : IPostProcessor
{
    public int AddedTokenCount
    {
        get
        {
            var count = 0;
            foreach (var step in steps)
            {
                count += step.AddedTokenCount;
            }

            return count;
        }
    }

    public List<int> Process(List<int> ids, ref List<string?>? surfaces, bool addSpecialTokens)
    {
        foreach (var step in steps)
        {
            ids = step.Process(ids, ref surfaces, addSpecialTokens);
        }

        return ids;
    }
}
