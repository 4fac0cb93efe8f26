using System.Globalization;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Generation;

/// <summary>
/// Search options of one generator, seeded from genai_config.json "search" (GenAI's names and defaults);
/// validated when a <see cref="Generator"/> is created.
/// </summary>
public sealed class GeneratorParams
{
    public const int MaxBatchSize = 256;
    public const int MaxBeams = 256;

    public GeneratorParams(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var search = model.Config.Search;
        BatchSize = search.BatchSize;
        MaxLength = search.MaxLength > 0 ? search.MaxLength : model.ContextLength;
        MinLength = search.MinLength;
        NumBeams = search.NumBeams;
        NumReturnSequences = search.NumReturnSequences;
        DoSample = search.DoSample;
        TopK = search.TopK;
        TopP = search.TopP;
        Temperature = search.Temperature;
        RepetitionPenalty = search.RepetitionPenalty;
        LengthPenalty = search.LengthPenalty;
        EarlyStopping = search.EarlyStopping;
        NoRepeatNgramSize = search.NoRepeatNgramSize;
        PastPresentShareBuffer = search.PastPresentShareBuffer;
        RandomSeed = search.RandomSeed;
    }

    public int BatchSize { get; set; }

    /// <summary>Total tokens per row (prompt included).</summary>
    public int MaxLength { get; set; }

    /// <summary>While the sequence is shorter, EOS cannot be chosen (prompt included).</summary>
    public int MinLength { get; set; }

    public int NumBeams { get; set; }

    public int NumReturnSequences { get; set; }

    public bool DoSample { get; set; }

    public int TopK { get; set; }

    public float TopP { get; set; }

    public float Temperature { get; set; }

    public float RepetitionPenalty { get; set; }

    public float LengthPenalty { get; set; }

    public bool EarlyStopping { get; set; }

    public int NoRepeatNgramSize { get; set; }

    /// <summary>One max_length KV buffer used as both past and present (GroupQueryAttention graphs); off with beams.</summary>
    public bool PastPresentShareBuffer { get; set; }

    /// <summary>-1 draws a random seed.</summary>
    public long RandomSeed { get; set; }

    /// <summary>Greedy when not sampling, or when top_k is 1 or temperature is 0 (as GenAI decides).</summary>
    public bool IsGreedy => !DoSample || TopK == 1 || Temperature == 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option (GenAI's search option name) that is out of range.</summary>
    public void Validate(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var vocab = model.VocabSize;
        Range(BatchSize, 1, MaxBatchSize, "batch_size");
        Range(NumBeams, 1, MaxBeams, "num_beams");
        Range(NumReturnSequences, 1, NumBeams, "num_return_sequences", "it must be between 1 and num_beams");
        Range(MaxLength, 1, model.ContextLength, "max_length", "it must be between 1 and the model's context_length");
        Range(MinLength, 0, MaxLength, "min_length", "it must be between 0 and max_length");
        if (DoSample)
        {
            Range(TopK, 0, vocab, "top_k", "it must be between 0 and vocab_size");
        }

        Range(NoRepeatNgramSize, 0, MaxLength, "no_repeat_ngram_size");
        if (TopP is < 0 or > 1 || float.IsNaN(TopP))
        {
            throw Invalid("top_p", TopP, "top_p must be between 0 and 1.");
        }

        if (Temperature < 0 || float.IsNaN(Temperature) || float.IsInfinity(Temperature))
        {
            throw Invalid("temperature", Temperature, "temperature must be >= 0.");
        }

        if (!(RepetitionPenalty > 0) || float.IsInfinity(RepetitionPenalty))
        {
            throw Invalid("repetition_penalty", RepetitionPenalty, "repetition_penalty must be > 0.");
        }

        if (float.IsNaN(LengthPenalty) || float.IsInfinity(LengthPenalty))
        {
            throw Invalid("length_penalty", LengthPenalty, "length_penalty must be a finite number.");
        }

        if (NumBeams > 1)
        {
            if ((long)NumBeams * 2 > vocab)
            {
                throw Invalid("num_beams", NumBeams, $"beam search needs 2 * num_beams = {NumBeams * 2} candidates but vocab_size is {vocab}.");
            }

            if (!IsGreedy)
            {
                throw Invalid("do_sample", DoSample, "sampling (do_sample with top_k != 1) cannot be combined with beam search.");
            }
        }

        foreach (var eos in model.EosTokenIds)
        {
            if (eos < 0 || eos >= vocab)
            {
                throw Invalid("eos_token_id", eos, $"eos_token_id {eos} must be in [0, vocab_size) = [0, {vocab}).");
            }
        }
    }

    private static void Range(int value, int min, int max, string name, string? rule = null)
    {
        if (value < min || value > max)
        {
            throw Invalid(
                name,
                value,
                $"{name} is {value.ToString(CultureInfo.InvariantCulture)}; {rule ?? $"it must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}"} ({min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    private static ArgumentOutOfRangeException Invalid(string name, object value, string message) => new(name, value, message);
}
