namespace AkashML.Inference.Catalog;

/// <summary>
/// Rules for model ids, which are folder paths relative to the models directory: 1 to 4 segments of letters, digits,
/// <c>-</c>, <c>_</c> and <c>.</c>, none starting with <c>.</c> (hidden folders are work in progress and never models).
/// </summary>
public static class ModelIdentifier
{
    public const int MaxSegments = 4;

    /// <summary>Null when <paramref name="id"/> is a valid id; otherwise why not.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "a model id must not be empty";
        }

        var segments = id.Split('/');
        if (segments.Length > MaxSegments)
        {
            return $"model id '{id}' has more than {MaxSegments} segments";
        }

        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment.StartsWith('.'))
            {
                return $"model id '{id}' has an empty segment or one starting with '.'";
            }

            if (!segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return $"model id '{id}' may only contain letters, digits, '-', '_', '.' and '/'";
            }
        }

        return null;
    }

    /// <summary>The folder of model <paramref name="id"/> inside <paramref name="modelsDirectory"/>.</summary>
    public static string FolderOf(string modelsDirectory, string id) =>
        Path.Combine(Path.GetFullPath(modelsDirectory), id.Replace('/', Path.DirectorySeparatorChar));
}
