namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>When Metaspace prepends the replacement character to a piece.</summary>
internal enum PrependScheme
{
    Always,
    First,
    Never,
}
