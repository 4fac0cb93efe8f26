using AkashML.Web.Cli;
using AkashML.Web.Hosting;

var verb = CommandLine.HasVerb(args);
var hostArguments = verb ? CommandLine.HostArguments(args) : args;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = hostArguments,
    ContentRootPath = ContentRoot.Resolve(hostArguments),
});
if (verb)
{
    // Verbs print their result on stdout and nothing else; diagnostics go to stderr.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

builder.AddAkashMLHost();
var app = builder.Build();

if (verb)
{
    return await CommandLine.RunAsync(app, args);
}

await app.PrepareAsync();
app.UseAkashMLPipeline();
await app.RunAsync();
return 0;
