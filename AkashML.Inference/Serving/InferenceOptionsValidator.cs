using AkashML.Inference.Native;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Serving;

/// <summary>
/// Start-up checks of the <c>Inference</c> section that need the ONNX Runtime library: every execution provider the
/// settings ask for (the default and each model's) must be usable, so a CUDA setting on a host without the CUDA build
/// or a GPU stops the host with a message naming the provider. CPU needs no check (a missing library is reported by
/// <c>/readyz</c> and at model load instead, so the dashboard still starts).
/// </summary>
internal sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        var problems = new List<string>();
        var requested = new List<(string Setting, ExecutionProvider Provider)>
        {
            ($"{InferenceOptions.SectionName}:{nameof(InferenceOptions.ExecutionProvider)}", options.ExecutionProvider),
        };
        requested.AddRange(options.ModelExecutionProviders.Select(p =>
            ($"{InferenceOptions.SectionName}:{nameof(InferenceOptions.ModelExecutionProviders)}:{p.Key}", p.Value)));

        foreach (var (setting, provider) in requested)
        {
            if (!Enum.IsDefined(provider))
            {
                problems.Add($"{setting} is {(int)provider}, not one of {string.Join(", ", Enum.GetNames<ExecutionProvider>())}.");
            }
            else if (provider != ExecutionProvider.Cpu && ExecutionProviderCheck.Problem(provider) is { } problem)
            {
                problems.Add($"{setting} asks for {provider}, but {problem}");
            }
        }

        // Data annotations do not reach into the nested section, so its ranges are checked here.
        var prefix = options.PrefixCache;
        var prefixResults = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (prefix is null)
        {
            problems.Add($"{InferenceOptions.SectionName}:{nameof(InferenceOptions.PrefixCache)} is missing.");
        }
        else if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(prefix, new(prefix), prefixResults, validateAllProperties: true))
        {
            problems.AddRange(prefixResults.Select(r =>
                $"{InferenceOptions.SectionName}:{nameof(InferenceOptions.PrefixCache)}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
