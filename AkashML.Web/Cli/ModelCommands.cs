using System.Globalization;
using AkashML.Inference.Building;
using AkashML.Inference.Catalog;
using AkashML.Inference.Catalog.Hub;
using AkashML.Inference.Catalog.Import;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Cli;

/// <summary>
/// <c>models list|build|pull|import</c>. An output or model given as a bare id (<c>karpathy/stories260K</c>: relative,
/// not starting with <c>.</c>) means that folder inside the models directory; <c>./x</c>, <c>../x</c> and absolute paths
/// are file-system paths.
/// </summary>
internal static class ModelCommands
{
    private static readonly string Usage = VerbCatalog.Usage("models");

    public static async Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        var modelsDirectory = app.Services.GetRequiredService<ModelDirectory>().Path;
        return arguments.Sub switch
        {
            "list" => List(app.Services.GetRequiredService<ModelCatalog>()),
            "build" => await BuildAsync(arguments, modelsDirectory),
            "pull" => await PullAsync(arguments, modelsDirectory, app.Services.GetRequiredService<ModelCatalog>()),
            "import" => await ImportAsync(app, arguments, modelsDirectory),
            _ => throw new CommandLineException(Usage),
        };
    }

    /// <summary>
    /// Where <c>--out</c> points: a bare id (relative, a valid model id, not starting with <c>.</c>) lands in the models
    /// directory; anything else (absolute, <c>./x</c>, <c>../x</c>) is a path relative to the working directory.
    /// </summary>
    internal static string ResolveOutput(string output, string modelsDirectory)
    {
        var trimmed = output.TrimEnd('/', Path.DirectorySeparatorChar);
        return !Path.IsPathRooted(output) && !output.StartsWith('.') && ModelIdentifier.Problem(trimmed) is null
            ? ModelIdentifier.FolderOf(modelsDirectory, trimmed)
            : Path.GetFullPath(output);
    }

    /// <summary>The runtime settings the host would use for model <paramref name="id"/>.</summary>
    internal static ModelOptions RuntimeOptions(IServiceProvider services, string? id)
    {
        // The library itself (Inference:OnnxRuntimePath) was chosen when the services were registered.
        return services.GetRequiredService<IOptions<InferenceOptions>>().Value.ModelOptionsFor(id);
    }

    /// <summary>A <c>--flag</c>; the parser reads the word after a flag as its value, so a value here is a misplaced positional.</summary>
    internal static string FormatBytes(long bytes) =>
        bytes >= 1L << 30 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB")
        : bytes >= 1L << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB");

    private static int List(ModelCatalog catalog)
    {
        Console.WriteLine("id\tname\tcontext\tinput_usd_per_mtok\toutput_usd_per_mtok\tquantization\tsmoke_test");
        foreach (var model in catalog.List())
        {
            Console.WriteLine(string.Join('\t',
                model.Id,
                model.DisplayName,
                model.ContextLength.ToString(CultureInfo.InvariantCulture),
                model.InputPricePerMillion.ToString(CultureInfo.InvariantCulture),
                model.OutputPricePerMillion.ToString(CultureInfo.InvariantCulture),
                model.Quantization,
                model.IsSmokeTest ? "yes" : "no"));
        }

        return 0;
    }

    private static async Task<int> BuildAsync(VerbArguments arguments, string modelsDirectory)
    {
        var int4 = arguments.Switch("int4");
        var force = arguments.Switch("force");
        var random = arguments.Positional.Count == 1 && arguments.Positional[0] == "random";
        if (!random && (arguments.Positional.Count != 2 || arguments.Positional[0] is not ("llama2c" or "hf")))
        {
            throw new CommandLineException(Usage);
        }

        var output = ResolveOutput(arguments.Required("out"), modelsDirectory);
        ModelBuildResult result;
        if (random)
        {
            var name = arguments.Required("shape");
            var shape = RandomModelShapes.Find(name)
                ?? throw new CommandLineException($"--shape '{name}' is not a known shape; known: {string.Join(", ", RandomModelShapes.Names)}");
            result = await ModelBuilder.BuildRandomAsync(shape, output, int4, force);
        }
        else
        {
            var source = arguments.Positional[1];
            result = arguments.Positional[0] == "llama2c"
                ? await ModelBuilder.BuildFromLlama2CAsync(source, arguments.Required("tokenizer"), output, int4, force)
                : await ModelBuilder.BuildFromHuggingFaceAsync(source, output, int4, force);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"built {Describe(result.OutputDirectory, modelsDirectory)} ({(int4 ? "int4" : "fp32")}, {FormatBytes(result.TotalBytes)}) in {result.Elapsed.TotalSeconds:0.0} s into {result.OutputDirectory}"));
        return 0;
    }

    private static async Task<int> PullAsync(VerbArguments arguments, string modelsDirectory, ModelCatalog catalog)
    {
        var force = arguments.Switch("force");
        if (arguments.Positional.Count != 1)
        {
            throw new CommandLineException(VerbCatalog.Usage("models", "pull"));
        }

        var request = new HubPullRequest(arguments.Positional[0])
        {
            Revision = arguments.Optional("revision") ?? "main",
            Include = arguments.Optional("include"),
            Id = arguments.Optional("id"),
            Overwrite = force,
        };
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var bar = new ProgressBar(Console.Error);
        try
        {
            using var client = new HubClient(HubClientOptions.FromEnvironment());
            var result = await new HubModelPuller(client, modelsDirectory).PullAsync(request, bar, cancel.Token);
            bar.Finish();
            catalog.Invalidate();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pulled {request.Repo}@{request.Revision}{(result.RepoFolder.Length == 0 ? "" : "/" + result.RepoFolder)} as {result.Id}: {result.FileCount} files, {FormatBytes(result.TotalBytes)} in {result.Elapsed.TotalSeconds:0.0} s"));
            return 0;
        }
        catch (HubException ex) when (ex.CanResume)
        {
            bar.Finish();
            throw new CommandLineException(ex.Message.TrimEnd('.') + "; the partial download is kept: run the same command again to resume.");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            bar.Finish();
            throw new CommandLineException("cancelled; the partial download is kept: run the same command again to resume.");
        }
        catch
        {
            bar.Finish();
            throw;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> ImportAsync(WebApplication app, VerbArguments arguments, string modelsDirectory)
    {
        var link = arguments.Switch("link");
        var force = arguments.Switch("force");
        if (arguments.Positional.Count != 1)
        {
            throw new CommandLineException(VerbCatalog.Usage("models", "import"));
        }

        var id = arguments.Optional("id");
        var result = await ModelImporter.ImportAsync(arguments.Positional[0], modelsDirectory, id, link, force, RuntimeOptions(app.Services, id));
        app.Services.GetRequiredService<ModelCatalog>().Invalidate();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {result.Id} ({(result.Linked ? "linked" : "copied")} {result.FileCount} files, {FormatBytes(result.TotalBytes)}) into {result.Path}"));
        return 0;
    }

    /// <summary>The model id when the folder is inside the models directory, else its name.</summary>
    private static string Describe(string folder, string modelsDirectory)
    {
        var relative = Path.GetRelativePath(modelsDirectory, folder);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? Path.GetFileName(folder)
            : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
