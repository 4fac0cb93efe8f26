namespace AkashML.Web.Presets;

/// <summary>
/// A sampling parameter as the playground and presets offer it for one model: the OpenAI request field it fills, its
/// range and default (from the catalog when it has one, else the API's own range).
/// </summary>
public sealed record SamplingParameter(string Name, string Label, ParameterKind Kind, double Min, double Max, double Default, double Step, string Help);
