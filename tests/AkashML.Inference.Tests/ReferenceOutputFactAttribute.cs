using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests;

/// <summary>
/// A fact that reads what tests/reference/*.mjs wrote (Hugging Face's reference outputs) into the folder
/// AKASHML_REFERENCE_DIR names; scripts/test.sh always sets it. Skipped, with the reason, when it is unset, or when the
/// shared data the outputs were made from is absent; when it is set the test must find its file.
/// </summary>
internal sealed class ReferenceOutputFactAttribute : FactAttribute
{
    public const string Variable = "AKASHML_REFERENCE_DIR";

    /// <param name="needsShared">What the reference outputs are made from, relative to the shared folder; null when they need none.</param>
    public ReferenceOutputFactAttribute(string? needsShared = null)
    {
        Skip = string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))
            ? $"{Variable} is not set: run `npm ci --prefix tests/reference`, then `node tests/reference/<script>.mjs <dir>`, and set it to <dir>."
            : needsShared is null ? null : SharedTestData.SkipReason(needsShared);
    }
}
