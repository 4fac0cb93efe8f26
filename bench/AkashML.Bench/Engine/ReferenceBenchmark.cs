using System.Diagnostics;
using AkashML.Inference.Catalog;
using AkashML.Inference.Generation;
using AkashML.Inference.Official;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using Oga = Microsoft.ML.OnnxRuntimeGenAI;

namespace AkashML.Bench.Engine;

/// <summary>
/// <c>bench engine --reference ortgenai</c>: the same workload on our runtime and on the official ONNX Runtime GenAI,
/// in one process, runs alternating between the two (a busy machine slows both alike). Every run decodes exactly the
/// requested tokens (EOS is banned: min_length in both single-stream generators, a logit bias in our served streams,
/// min_length in the official batch). Each side and mode first warms up until its run time settles (<see cref="WarmUp"/>).
/// </summary>
public static class ReferenceBenchmark
{
    /// <summary>One stream: bare generators on both sides (prefill, time to first token, decode).</summary>
    public static ReferenceSingleStreamResult RunSingleStream(
        string modelFolder,
        int promptTokens = 128,
        int generatedTokens = 256,
        int runs = 5,
        ModelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(generatedTokens, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        options ??= new ModelOptions();

        using var ours = Model.Load(modelFolder, options);
        var total = promptTokens + generatedTokens;
        if (total > ours.ContextLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(generatedTokens),
                $"prompt + generated tokens = {total} exceed the model's context_length {ours.ContextLength}.");
        }

        using var official = OfficialGenAi.Load(modelFolder, options.ExecutionProvider);
        var prompt = EngineBenchmark.MakePrompt(ours, promptTokens);
        var ourWarmUp = WarmUp.UntilSettled(() => OurStream(ours, prompt, total, cancellationToken).TotalSeconds);
        var officialWarmUp = WarmUp.UntilSettled(() => OfficialStream(official, prompt, total, cancellationToken).TotalSeconds);
        var ourRuns = new List<StreamRun>();
        var officialRuns = new List<StreamRun>();
        for (var run = 0; run < runs; run++)
        {
            ourRuns.Add(OurStream(ours, prompt, total, cancellationToken));
            officialRuns.Add(OfficialStream(official, prompt, total, cancellationToken));
        }

        return new ReferenceSingleStreamResult(
            Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder)),
            promptTokens,
            generatedTokens,
            runs,
            ourWarmUp,
            officialWarmUp,
            Figures(ourRuns, promptTokens),
            Figures(officialRuns, promptTokens),
            EngineBenchmark.PeakRssMb());
    }

    /// <summary>
    /// N concurrent streams: ours served through <see cref="TextModel"/> (continuous batching where the model allows it,
    /// else a generator per stream), the official runtime as one static batch (its managed API's batching) and as a
    /// generator per stream on parallel threads; aggregate generated tokens/s over wall time.
    /// </summary>
    public static IReadOnlyList<ReferenceStreamsResult> RunStreams(
        string modelFolder,
        IReadOnlyList<int> streams,
        int promptTokens = 32,
        int generatedTokens = 128,
        int runs = 3,
        int maxBatchSize = 8,
        ModelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(generatedTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        if (streams.Count == 0 || streams.Any(s => s < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(streams), "Stream counts must be positive.");
        }

        options ??= new ModelOptions();
        var most = streams.Max();
        var total = promptTokens + generatedTokens;
        int[][] prompts;
        Dictionary<int, double> noEos;
        using (var model = Model.Load(modelFolder, options))
        {
            if (total > model.ContextLength)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(generatedTokens),
                    $"prompt + generated tokens = {total} exceed the model's context_length {model.ContextLength}.");
            }

            prompts = [.. Enumerable.Range(0, most).Select(s => EngineBenchmark.MakePrompt(model, promptTokens, 1234 + s))];
            noEos = model.EosTokenIds.Distinct().ToDictionary(id => id, _ => -100.0);
        }

        var descriptor = new ModelDescriptor
        {
            Id = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder)),
            DisplayName = "benchmark",
            Path = modelFolder,
            ContextLength = int.MaxValue,
        };
        using var ours = TextModel.Load(descriptor, options, maxConcurrency: most, maxBatchSize);
        using var official = OfficialGenAi.Load(modelFolder, options.ExecutionProvider);
        var results = new List<ReferenceStreamsResult>();
        foreach (var count in streams)
        {
            var requests = prompts.Take(count)
                .Select(p => new GenerationRequest { PromptTokens = p, MaxNewTokens = generatedTokens, Temperature = 0, LogitBias = noEos })
                .ToArray();
            var streamPrompts = prompts.Take(count).ToArray();
            WarmUp.UntilSettledTimed(() => ConcurrencyBenchmark.MeasureOnce(ours, requests, cancellationToken));
            WarmUp.UntilSettledTimed(() => OfficialStaticBatch(official, streamPrompts, total, cancellationToken));
            WarmUp.UntilSettledTimed(() => OfficialPerStream(official, streamPrompts, total, cancellationToken));
            var ourRates = new List<double>();
            var staticRates = new List<double>();
            var perStreamRates = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                ourRates.Add(ConcurrencyBenchmark.MeasureOnce(ours, requests, cancellationToken));
                staticRates.Add(OfficialStaticBatch(official, streamPrompts, total, cancellationToken));
                perStreamRates.Add(OfficialPerStream(official, streamPrompts, total, cancellationToken));
            }

            results.Add(new ReferenceStreamsResult(
                count,
                ours.Batching is not null,
                Spread.Of(ourRates),
                Spread.Of(staticRates),
                Spread.Of(perStreamRates)));
        }

        return results;
    }

    private static ReferenceFigures Figures(List<StreamRun> runs, int promptTokens) => new(
        Spread.Of(runs.Select(r => promptTokens / r.PrefillSeconds).ToArray()),
        Spread.Of(runs.Select(r => r.Decoded / r.DecodeSeconds).ToArray()),
        Spread.Of(runs.Select(r => r.FirstTokenSeconds * 1000).ToArray()));

    private static StreamRun OurStream(Model model, int[] prompt, int total, CancellationToken cancellationToken)
    {
        var run = EngineBenchmark.RunOnce(model, prompt, total, cancellationToken);
        return new StreamRun(run.PrefillSeconds, run.FirstTokenSeconds, run.Decoded, run.DecodeSeconds);
    }

    private static StreamRun OfficialStream(Oga.Model model, int[] prompt, int total, CancellationToken cancellationToken)
    {
        using var parameters = OfficialGenAi.GreedyParams(model, batchSize: 1, maxLength: total, minLength: total);
        parameters.SetSearchOption("repetition_penalty", 1.0);
        using var generator = new Oga.Generator(model, parameters);
        var clock = Stopwatch.StartNew();
        generator.AppendTokens(prompt);
        var prefill = clock.Elapsed.TotalSeconds;
        generator.GenerateNextToken();
        var first = clock.Elapsed.TotalSeconds;
        var decoded = 0;
        while (!generator.IsDone())
        {
            cancellationToken.ThrowIfCancellationRequested();
            generator.GenerateNextToken();
            decoded++;
        }

        return new StreamRun(prefill, first, decoded, clock.Elapsed.TotalSeconds - first);
    }

    /// <summary>All prompts (equal lengths, so no padding) as one batch of the official generator.</summary>
    private static double OfficialStaticBatch(Oga.Model model, int[][] prompts, int total, CancellationToken cancellationToken)
    {
        using var parameters = OfficialGenAi.GreedyParams(model, batchSize: prompts.Length, maxLength: total, minLength: total);
        parameters.SetSearchOption("repetition_penalty", 1.0);
        using var generator = new Oga.Generator(model, parameters);
        var clock = Stopwatch.StartNew();
        generator.AppendTokens(prompts.SelectMany(p => p).ToArray());
        var generated = 0L;
        while (!generator.IsDone())
        {
            cancellationToken.ThrowIfCancellationRequested();
            generator.GenerateNextToken();
            generated += prompts.Length;
        }

        return generated / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A generator per prompt, all decoding at once on their own threads over the one model.</summary>
    private static double OfficialPerStream(Oga.Model model, int[][] prompts, int total, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tasks = prompts.Select(prompt => Task.Factory.StartNew(
            () =>
            {
                using var parameters = OfficialGenAi.GreedyParams(model, batchSize: 1, maxLength: total, minLength: total);
                parameters.SetSearchOption("repetition_penalty", 1.0);
                using var generator = new Oga.Generator(model, parameters);
                generator.AppendTokens(prompt);
                var generated = 0;
                while (!generator.IsDone())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    generator.GenerateNextToken();
                    generated++;
                }

                return generated;
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        Task.WaitAll(tasks, cancellationToken);
        return tasks.Sum(t => t.Result) / clock.Elapsed.TotalSeconds;
    }

    private readonly record struct StreamRun(double PrefillSeconds, double FirstTokenSeconds, int Decoded, double DecodeSeconds)
    {
        public double TotalSeconds => FirstTokenSeconds + DecodeSeconds;
    }
}

/// <summary>Per-run figures of one runtime: prompt tokens/s, decode tokens/s, time to first token (ms).</summary>
public sealed record ReferenceFigures(Spread PrefillTokensPerSecond, Spread DecodeTokensPerSecond, Spread TimeToFirstTokenMs);

/// <summary>One stream on both runtimes, from the same process run.</summary>
public sealed record ReferenceSingleStreamResult(
    string Model,
    int PromptTokens,
    int GeneratedTokens,
    int Runs,
    int OursWarmUpRuns,
    int OfficialWarmUpRuns,
    ReferenceFigures Ours,
    ReferenceFigures Official,
    double PeakRssMb)
{
    /// <summary>Our median decode tokens/s over the official runtime's.</summary>
    public double DecodeRatio => Official.DecodeTokensPerSecond.Median > 0 ? Ours.DecodeTokensPerSecond.Median / Official.DecodeTokensPerSecond.Median : 0;

    public double PrefillRatio => Official.PrefillTokensPerSecond.Median > 0 ? Ours.PrefillTokensPerSecond.Median / Official.PrefillTokensPerSecond.Median : 0;
}

/// <summary>Aggregate generated tokens/s of N streams: ours served, the official runtime's static batch and per-stream generators.</summary>
public sealed record ReferenceStreamsResult(int Streams, bool OursBatched, Spread Ours, Spread OfficialStaticBatch, Spread OfficialPerStream)
{
    /// <summary>The official runtime's better mode at the median.</summary>
    public double OfficialBest => Math.Max(OfficialStaticBatch.Median, OfficialPerStream.Median);

    /// <summary>Our median over the official runtime's best mode.</summary>
    public double Ratio => OfficialBest > 0 ? Ours.Median / OfficialBest : 0;
}
