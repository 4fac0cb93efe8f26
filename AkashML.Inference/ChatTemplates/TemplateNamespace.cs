namespace AkashML.Inference.ChatTemplates;

/// <summary>The object <c>namespace(...)</c> returns: attributes can be assigned from inner scopes.</summary>
internal sealed class TemplateNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
