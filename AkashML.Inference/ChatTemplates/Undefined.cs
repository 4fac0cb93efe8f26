namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Jinja's default undefined value: falsy, renders as empty, iterates as empty, has length 0, and
/// <c>is defined</c> is false. Attribute or item access on it yields undefined again.
/// </summary>
internal sealed class Undefined
{
    public static readonly Undefined Instance = new();

    private Undefined()
    {
    }

    public override string ToString() => string.Empty;
}
