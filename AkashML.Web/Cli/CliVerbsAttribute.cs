namespace AkashML.Web.Cli;

/// <summary>Names the <see cref="ICliVerbs"/> an assembly of verbs provides, so the host finds it without scanning types.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class CliVerbsAttribute(Type verbs) : Attribute
{
    public Type Verbs { get; } = verbs;
}
