using AkashML.Web.Cli;
using AkashML.Web.Hosting;

namespace AkashML.Web;

/// <summary>
/// The host's entry: a verb runs and exits, anything else serves. A method rather than top-level statements so the
/// benchmark executable (bench/AkashML.Bench) can start the very same host.
/// </summary>
internal static class HostEntry
{
    public static async Task<int> RunAsync(string[] args)
    {
        var verb = CommandLine.HasVerb(args);
        string[] hostArguments;
        try
        {
            hostArguments = verb ? CommandLine.HostArguments(args) : CommandLine.ServeArguments(args);
        }
        catch (CommandLineException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return 2;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = hostArguments,
            ContentRootPath = ContentRoot.Resolve(hostArguments),
            // This assembly's name, not the entry assembly's: the static web assets manifests are named after it.
            ApplicationName = ApplicationName,
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
    }

    /// <summary>The host's application name, whichever executable started it.</summary>
    public static string ApplicationName { get; } = typeof(HostEntry).Assembly.GetName().Name!;
}
