using AkashML.Bench.Cli;
using AkashML.Web.Cli;

[assembly: CliVerbs(typeof(AkashML.Bench.BenchVerbs))]

namespace AkashML.Bench;

/// <summary>The <c>bench</c> verb, as the host's command line finds it in this assembly.</summary>
internal sealed class BenchVerbs : ICliVerbs
{
    public Task<int> RunAsync(WebApplication app, VerbArguments arguments) => arguments.Sub switch
    {
        "gateway" => GatewayBench.RunAsync(arguments),
        "backends" => BackendsBench.RunAsync(app, arguments),
        _ => BenchCommands.RunAsync(app, arguments),
    };
}
