namespace AkashML.Inference.Tokenizers.Models;

/// <summary>Builds the id-to-token table of a vocabulary.</summary>
internal static class VocabularyTable
{
    /// <summary>An array indexed by id; gaps are null.</summary>
    public static string?[] Invert(Dictionary<string, int> vocab)
    {
        var max = -1;
        foreach (var id in vocab.Values)
        {
            if (id < 0)
            {
                throw new TokenizerFormatException($"The vocabulary has a negative id ({id}).");
            }

            max = Math.Max(max, id);
        }

        var table = new string?[max + 1];
        foreach (var (token, id) in vocab)
        {
            table[id] = token;
        }

        return table;
    }
}
