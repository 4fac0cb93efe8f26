using System.Globalization;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// How the next token is chosen from the model's logits. Defaults leave every transform off and sample at
/// temperature 1, as the OpenAI API does.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Largest accepted <see cref="TopLogprobs"/> (the OpenAI limit).</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>Largest accepted <see cref="Temperature"/>.</summary>
    public const float MaxTemperature = 2f;

    /// <summary>Largest accepted magnitude of a frequency or presence penalty.</summary>
    public const float MaxPenaltyMagnitude = 2f;

    /// <summary>Largest accepted magnitude of a logit bias; exactly −100 bans the token.</summary>
    public const float MaxLogitBiasMagnitude = 100f;

    /// <summary>Always picks the most likely token.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>Softmax temperature in [0, 2]; 0 selects the most likely token (greedy).</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the K most likely tokens; 0 turns the filter off, 1 is greedy.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus size in (0, 1]: keep the smallest set of most likely tokens whose mass reaches it; 1 is off.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Drop tokens whose probability is below MinP × the top probability; in [0, 1], 0 is off.</summary>
    public float MinP { get; init; }

    /// <summary>Seed for the token draw; the same seed and logits give the same tokens. Null draws a random seed.</summary>
    public long? Seed { get; init; }

    /// <summary>OpenAI <c>frequency_penalty</c> in [−2, 2]: logit −= count × penalty, over generated tokens only.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI <c>presence_penalty</c> in [−2, 2]: logit −= penalty once a token has been generated.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>
    /// Hugging Face / GenAI <c>repetition_penalty</c> (&gt; 0, 1 is off) over every distinct prompt and generated
    /// token: a negative logit is multiplied by it, any other logit divided by it.
    /// </summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Token id → value added to its logit, each in [−100, 100]; exactly −100 bans the token.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary>How many most likely alternatives to report with each token, 0–20.</summary>
    public int TopLogprobs { get; init; }

    /// <summary>True when the options make every choice the argmax.</summary>
    public bool IsGreedy => Temperature == 0f || TopK == 1;

    /// <summary>Throws <see cref="InvalidSamplingOptionsException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        RequireRange(Temperature, 0f, MaxTemperature, "temperature", "between 0 and 2");
        if (!(TopP > 0f && TopP <= 1f))
        {
            throw Invalid("top_p", "greater than 0 and at most 1", TopP);
        }

        if (TopK < 0)
        {
            throw Invalid("top_k", "0 (off) or greater", TopK);
        }

        RequireRange(MinP, 0f, 1f, "min_p", "between 0 and 1");
        RequireRange(FrequencyPenalty, -MaxPenaltyMagnitude, MaxPenaltyMagnitude, "frequency_penalty", "between -2 and 2");
        RequireRange(PresencePenalty, -MaxPenaltyMagnitude, MaxPenaltyMagnitude, "presence_penalty", "between -2 and 2");
        if (!(RepetitionPenalty > 0f && float.IsFinite(RepetitionPenalty)))
        {
            throw Invalid("repetition_penalty", "greater than 0", RepetitionPenalty);
        }

        if (TopLogprobs is < 0 or > MaxTopLogprobs)
        {
            throw Invalid("top_logprobs", "between 0 and 20", TopLogprobs);
        }

        if (LogitBias is null)
        {
            return;
        }

        foreach (var (tokenId, bias) in LogitBias)
        {
            if (tokenId < 0)
            {
                throw new InvalidSamplingOptionsException(
                    string.Create(CultureInfo.InvariantCulture, $"logit_bias has a negative token id ({tokenId})."),
                    "logit_bias");
            }

            if (!(bias >= -MaxLogitBiasMagnitude && bias <= MaxLogitBiasMagnitude))
            {
                throw new InvalidSamplingOptionsException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"logit_bias for token {tokenId} must be between -100 and 100, got {bias}."),
                    "logit_bias");
            }
        }
    }

    /// <summary>As <see cref="Validate()"/>, and checks that every biased token id is below the vocabulary size.</summary>
    public void Validate(int vocabularySize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        Validate();
        if (LogitBias is null)
        {
            return;
        }

        foreach (var tokenId in LogitBias.Keys)
        {
            if (tokenId >= vocabularySize)
            {
                throw new InvalidSamplingOptionsException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"logit_bias names token {tokenId}, but the model's vocabulary has {vocabularySize} tokens."),
                    "logit_bias");
            }
        }
    }

    // Written as a negated conjunction so NaN fails too.
    private static void RequireRange(float value, float min, float max, string name, string range)
    {
        if (!(value >= min && value <= max))
        {
            throw Invalid(name, range, value);
        }
    }

    private static InvalidSamplingOptionsException Invalid(string name, string range, float value) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}, got {value}."), name);
}
