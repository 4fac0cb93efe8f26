using System.Text.Json.Serialization;

namespace AkashML.Web.Api.OpenAi;

/// <summary>
/// What every OpenAI-shaped answer and stream chunk carries around its choices: <c>chat.completion</c>,
/// <c>chat.completion.chunk</c> and <c>text_completion</c>. <see cref="Usage"/> is left out of chunks that have none.
/// </summary>
public sealed record OpenAiResponse<TChoice>(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<TChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OpenAiUsage? Usage = null)
{
    /// <summary>Identifies this build's serving stack, as OpenAI's <c>system_fingerprint</c>.</summary>
    public string SystemFingerprint => OpenAiShapes.SystemFingerprint;
}
