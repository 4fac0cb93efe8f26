namespace AkashML.Web.Cli;

/// <summary>
/// Verbs that live outside the host's assembly (the benchmarks, in AkashML.Bench): the host ships without them and
/// runs them when their assembly lies beside it. The assembly names its implementation with <see cref="CliVerbsAttribute"/>.
/// </summary>
internal interface ICliVerbs
{
    /// <summary>Runs the verb; usage errors throw <see cref="CommandLineException"/>, as the host's own verbs do.</summary>
    Task<int> RunAsync(WebApplication app, VerbArguments arguments);
}
