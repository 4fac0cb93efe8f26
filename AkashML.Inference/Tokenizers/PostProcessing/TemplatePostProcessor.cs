namespace AkashML.Inference.Tokenizers.PostProcessing;

/// <summary>
/// TemplateProcessing for a single sequence: each template item is either the sequence itself (null) or the ids of
/// a special token. RobertaProcessing and BertProcessing are the template [cls] A [sep].
/// </summary>
internal sealed class TemplatePostProcessor(IReadOnlyList<int[]?> single) : IPostProcessor
{
    public int AddedTokenCount
    {
        get
        {
            var count = 0;
            foreach (var item in single)
            {
                count += item?.Length ?? 0;
            }

            return count;
        }
    }

    public List<int> Process(List<int> ids, ref List<string?>? surfaces, bool addSpecialTokens)
    {
        if (!addSpecialTokens)
        {
            return ids;
        }

        var result = new List<int>(ids.Count + AddedTokenCount);
        var resultSurfaces = surfaces is null ? null : new List<string?>(result.Capacity);
        foreach (var item in single)
        {
            if (item is null)
            {
                result.AddRange(ids);
                resultSurfaces?.AddRange(surfaces!);
            }
            else
            {
                result.AddRange(item);
                resultSurfaces?.AddRange(new string?[item.Length]);
            }
        }

        surfaces = resultSurfaces;
        return result;
    }
}
