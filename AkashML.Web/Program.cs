using AkashML.Web.Cli;
using AkashML.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddAkashMLHost();
var app = builder.Build();

if (CommandLine.HasVerb(args))
{
    return await CommandLine.RunAsync(app, args);
}

await app.PrepareAsync();
app.UseAkashMLPipeline();
await app.RunAsync();
return 0;
