namespace AkashML.Inference.ChatTemplates;

/// <summary>Raised by value operations; the interpreter adds the source position and rethrows it as a <see cref="TemplateRuntimeException"/>.</summary>
internal sealed class TemplateValueError(string message) : Exception(message);
