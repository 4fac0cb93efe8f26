using System.Buffers;
using System.Globalization;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Chooses each next token of one sequence. Keeps the sequence's random stream and the token counts the penalties
/// need; create one per sequence (one per choice when n &gt; 1) and feed it every prompt and generated token through
/// <see cref="Observe"/>. Not thread-safe.
/// </summary>
/// <remarks>
/// <para>Order per step: logit bias, repetition penalty, frequency and presence penalties, constraint mask, then either
/// argmax (temperature 0 or top_k 1; the first maximum wins) or temperature, top-k, top-p, min-p, renormalise and draw.</para>
/// <para>Reproducibility: with a seed, the same logits sequence yields the same tokens on this implementation and
/// machine (the generator is xoshiro256** seeded by SplitMix64; vectorised sums depend on the CPU's vector width).
/// Different <c>stream</c> values give independent draws for the same seed.</para>
/// <para>Min-p keeps tokens whose probability at the sampling temperature is at least min_p times the top one. Ties in
/// top-k keep the lower ids; a wide top-p nucleus keeps every token tied at its boundary.</para>
/// <para>Cost: greedy is a maximum and an index search; top-k is a bounded heap over the vocabulary and exponentials of
/// the k candidates only; other draws take one exponential pass at the sampling temperature, then a bounded heap for
/// the usual small nucleus or a radix select for wide ones (<see cref="NucleusSearch"/>) — never a sort of the
/// vocabulary. The softmax normaliser for log-probabilities is one more summing pass, made only when they are asked
/// for and no draw at temperature 1 already produced it. Penalties touch only the tokens seen.
/// Vocabulary-sized scratch comes from <see cref="ArrayPool{T}.Shared"/> for the duration of one call; the only
/// allocation per call is the top-logprobs list.</para>
/// </remarks>
public sealed class TokenSelector
{
    // Top-p first looks for the nucleus among this many most likely tokens, then falls back to a radix select.
    private const int FirstNucleusGuess = 128;

    private readonly SamplingOptions _options;
    private readonly int _vocabularySize;
    private readonly ITokenConstraint? _constraint;
    private readonly Xoshiro256StarStar _random;
    private readonly (int TokenId, float Bias)[] _bias;
    private readonly Dictionary<int, int> _generatedCounts = [];
    private readonly HashSet<int> _seen = [];

    /// <param name="options">Validated here against <paramref name="vocabularySize"/>.</param>
    /// <param name="vocabularySize">Length of the logits passed to <see cref="Select(Span{float})"/>.</param>
    /// <param name="constraint">Optional grammar; advanced by <see cref="Observe"/> for generated tokens.</param>
    /// <param name="stream">Which random stream of the seed to use (the choice index when n &gt; 1).</param>
    public TokenSelector(SamplingOptions options, int vocabularySize, ITokenConstraint? constraint = null, int stream = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        options.Validate(vocabularySize);
        _options = options;
        _vocabularySize = vocabularySize;
        _constraint = constraint;
        _random = new Xoshiro256StarStar(options.Seed ?? Random.Shared.NextInt64(), stream);
        _bias = options.LogitBias is null ? [] : [.. options.LogitBias.Select(pair => (pair.Key, pair.Value))];
    }

    /// <summary>The constraint this selector masks with, if any.</summary>
    public ITokenConstraint? Constraint => _constraint;

    /// <summary>Number of generated tokens observed so far.</summary>
    public int GeneratedCount { get; private set; }

    /// <summary>
    /// Records a token of the sequence: prompt tokens feed the repetition penalty only; generated tokens feed all
    /// penalties and advance the constraint.
    /// </summary>
    public void Observe(int tokenId, bool isPrompt)
    {
        if ((uint)tokenId >= (uint)_vocabularySize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(tokenId),
                tokenId,
                string.Create(CultureInfo.InvariantCulture, $"Token ids must be below the vocabulary size {_vocabularySize}."));
        }

        _seen.Add(tokenId);
        if (isPrompt)
        {
            return;
        }

        _generatedCounts[tokenId] = _generatedCounts.GetValueOrDefault(tokenId) + 1;
        GeneratedCount++;
        _constraint?.Advance(tokenId);
    }

    /// <summary>Records every prompt token.</summary>
    public void ObservePrompt(ReadOnlySpan<int> tokenIds)
    {
        foreach (var tokenId in tokenIds)
        {
            Observe(tokenId, isPrompt: true);
        }
    }

    /// <summary>Chooses the next token, reporting as many alternatives as the options' <see cref="SamplingOptions.TopLogprobs"/>.</summary>
    public TokenChoice Select(Span<float> logits) => Select(logits, _options.TopLogprobs);

    /// <summary>
    /// Chooses the next token from <paramref name="logits"/>, which is modified in place (bias, penalties, mask).
    /// <paramref name="topLogprobs"/> null asks for no log-probabilities: the choice's <see cref="TokenChoice.Logprob"/>
    /// is then NaN and the whole-vocabulary softmax is skipped wherever the draw does not need it (greedy, top-k).
    /// Throws <see cref="InvalidOperationException"/> when bias and constraint leave no token possible.
    /// </summary>
    public TokenChoice Select(Span<float> logits, int? topLogprobs)
    {
        if (logits.Length != _vocabularySize)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Expected {_vocabularySize} logits, got {logits.Length}."),
                nameof(logits));
        }

        if (topLogprobs is < 0 or > SamplingOptions.MaxTopLogprobs)
        {
            throw new InvalidSamplingOptionsException(
                string.Create(CultureInfo.InvariantCulture, $"top_logprobs must be between 0 and 20, got {topLogprobs}."),
                "top_logprobs");
        }

        ApplyBiasAndPenalties(logits);
        _constraint?.Mask(logits);

        var max = LogitMath.SanitizedMax(logits);
        if (float.IsNegativeInfinity(max))
        {
            throw new InvalidOperationException(
                "No token can be chosen: logit_bias or the output constraint excludes the whole vocabulary.");
        }

        // Σ exp(logit − max) at temperature 1: the log-probabilities' normaliser. A draw at temperature 1 over the whole
        // vocabulary computes it anyway; otherwise it costs a pass of its own, paid only when log-probabilities are asked.
        var unitTotal = double.NaN;
        var tokenId = _options.IsGreedy ? LogitMath.IndexOf(logits, max) : Sample(logits, max, ref unitTotal);
        if (topLogprobs is not { } alternatives)
        {
            return new TokenChoice(tokenId, float.NaN, []);
        }

        if (double.IsNaN(unitTotal))
        {
            unitTotal = LogitMath.SumExpShifted(logits, max, 1f);
        }

        var logNormalizer = max + (float)Math.Log(unitTotal);
        return new TokenChoice(tokenId, logits[tokenId] - logNormalizer, TopAlternatives(logits, alternatives, logNormalizer));
    }

    /// <summary>
    /// Greedy choice straight from the model's row when nothing but logit bias touches the scores: the row's own
    /// maximum, then each biased token scored as <see cref="Select(Span{float}, int?)"/> would (bias, then NaN as −∞ and
    /// +∞ as the largest float), the first maximum winning. Saves converting and copying the whole vocabulary. False
    /// when <see cref="Select(Span{float}, int?)"/> must decide: sampling, penalties, a constraint, a non-finite row
    /// maximum, or a biased token at that maximum.
    /// </summary>
    internal bool TrySelectGreedy(LogitsRow row, out int tokenId)
    {
        tokenId = -1;
        if (!_options.IsGreedy
            || _constraint is not null
            || _options.RepetitionPenalty != 1f
            || _options.FrequencyPenalty != 0f
            || _options.PresencePenalty != 0f
            || row.Length != _vocabularySize
            || !row.TryArgMax(out var best))
        {
            return false;
        }

        var bestScore = row[best];
        foreach (var (id, bias) in _bias)
        {
            if (id == best)
            {
                return false;
            }

            var score = bias <= -SamplingOptions.MaxLogitBiasMagnitude ? float.NegativeInfinity : row[id] + bias;
            score = float.IsNaN(score) ? float.NegativeInfinity : float.IsPositiveInfinity(score) ? float.MaxValue : score;
            if (score > bestScore || (score == bestScore && id < best))
            {
                best = id;
                bestScore = score;
            }
        }

        tokenId = best;
        return true;
    }

    private void ApplyBiasAndPenalties(Span<float> logits)
    {
        foreach (var (tokenId, bias) in _bias)
        {
            // OpenAI documents −100 as a ban; make it one regardless of how large the logit is.
            logits[tokenId] = bias <= -SamplingOptions.MaxLogitBiasMagnitude ? float.NegativeInfinity : logits[tokenId] + bias;
        }

        var repetition = _options.RepetitionPenalty;
        if (repetition != 1f)
        {
            foreach (var tokenId in _seen)
            {
                var logit = logits[tokenId];
                logits[tokenId] = logit < 0f ? logit * repetition : logit / repetition;
            }
        }

        var frequency = _options.FrequencyPenalty;
        var presence = _options.PresencePenalty;
        if (frequency != 0f || presence != 0f)
        {
            foreach (var (tokenId, count) in _generatedCounts)
            {
                logits[tokenId] -= (count * frequency) + presence;
            }
        }
    }

    /// <summary>
    /// Draws a token. Sets <paramref name="unitTotal"/> to Σ exp(logit − max) when it computed the whole vocabulary's
    /// weights at temperature 1 on the way.
    /// </summary>
    private int Sample(ReadOnlySpan<float> logits, float max, ref double unitTotal)
    {
        var temperature = _options.Temperature;
        var topK = _options.TopK;
        if (topK > 0 && topK < _vocabularySize)
        {
            // Only the k candidates need weights at the sampling temperature.
            return SampleFromLargest(logits, weights: [], max, topK, nucleusTotal: null).TokenId;
        }

        var rented = ArrayPool<float>.Shared.Rent(_vocabularySize);
        try
        {
            var weights = rented.AsSpan(0, _vocabularySize);
            var total = LogitMath.ExpShifted(logits, max, 1f / temperature, weights);
            if (temperature == 1f)
            {
                unitTotal = total;
            }

            if (_options.TopP < 1f)
            {
                // Usually the nucleus is a handful of tokens: try a small partial selection before the general search.
                var (tokenId, settled) = SampleFromLargest(logits, weights, max, Math.Min(FirstNucleusGuess, _vocabularySize), total);
                if (settled)
                {
                    return tokenId;
                }

                // The most likely token has weight exp(0) = 1, so the min-p threshold is min_p itself.
                var threshold = MathF.Max(NucleusSearch.WeightThreshold(weights, _options.TopP * total), _options.MinP);
                total = LogitMath.ZeroBelow(weights, threshold);
            }
            else if (_options.MinP > 0f)
            {
                total = LogitMath.ZeroBelow(weights, _options.MinP);
            }

            return LogitMath.DrawIndex(weights, _random.NextDouble() * total);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Draws among the <paramref name="count"/> most likely tokens, cut further by top-p and min-p. Top-p mass is
    /// relative to <paramref name="nucleusTotal"/> (the whole vocabulary) when given, else to the candidates (top-k);
    /// with a whole-vocabulary total the nucleus must close inside the candidates, otherwise nothing is drawn and
    /// <c>Settled</c> is false. <paramref name="weights"/> holds the whole vocabulary's weights at the sampling
    /// temperature, or is empty when only the candidates' are to be computed.
    /// </summary>
    private (int TokenId, bool Settled) SampleFromLargest(
        ReadOnlySpan<float> logits,
        ReadOnlySpan<float> weights,
        float max,
        int count,
        double? nucleusTotal)
    {
        var idBuffer = ArrayPool<int>.Shared.Rent(count);
        var keyBuffer = ArrayPool<float>.Shared.Rent(count);
        try
        {
            var found = TopSelection.SelectLargest(logits, idBuffer.AsSpan(0, count), keyBuffer.AsSpan(0, count));
            var ids = idBuffer.AsSpan(0, found);

            // The keys (logits) are replaced by the candidates' weights at the sampling temperature: read from the
            // whole-vocabulary weights when given, else computed for the candidates alone. At temperature 1 they come from
            // the same vector exponential a whole-vocabulary pass uses, so seeded draws do not depend on which ran.
            var candidateWeights = keyBuffer.AsSpan(0, found);
            var inverseTemperature = 1f / _options.Temperature;
            if (!weights.IsEmpty)
            {
                for (var i = 0; i < found; i++)
                {
                    candidateWeights[i] = weights[ids[i]];
                }
            }
            else if (_options.Temperature == 1f)
            {
                LogitMath.ExpShiftedAt(logits, ids, max, 1f, candidateWeights);
            }
            else
            {
                for (var i = 0; i < found; i++)
                {
                    candidateWeights[i] = MathF.Exp((candidateWeights[i] - max) * inverseTemperature);
                }
            }

            double candidateTotal = 0;
            foreach (var weight in candidateWeights)
            {
                candidateTotal += weight;
            }

            var kept = found;
            if (_options.TopP < 1f)
            {
                var target = _options.TopP * (nucleusTotal ?? candidateTotal);
                double cumulative = 0;
                var closed = false;
                for (var i = 0; i < found; i++)
                {
                    cumulative += candidateWeights[i];
                    if (cumulative >= target)
                    {
                        kept = i + 1;
                        closed = true;
                        break;
                    }
                }

                var sawEveryToken = nucleusTotal is null || found < count || count == _vocabularySize;
                if (!closed && !sawEveryToken)
                {
                    return (-1, false);
                }
            }

            if (_options.MinP > 0f)
            {
                var threshold = _options.MinP * candidateWeights[0];
                for (var i = 1; i < kept; i++)
                {
                    if (candidateWeights[i] < threshold)
                    {
                        kept = i;
                        break;
                    }
                }
            }

            double keptTotal = 0;
            foreach (var weight in candidateWeights[..kept])
            {
                keptTotal += weight;
            }

            var draw = _random.NextDouble() * keptTotal;
            double running = 0;
            for (var i = 0; i < kept; i++)
            {
                running += candidateWeights[i];
                if (running > draw)
                {
                    return (ids[i], true);
                }
            }

            return (ids[kept - 1], true);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(idBuffer);
            ArrayPool<float>.Shared.Return(keyBuffer);
        }
    }

    private static IReadOnlyList<TokenLogprob> TopAlternatives(ReadOnlySpan<float> logits, int count, float logNormalizer)
    {
        if (count == 0)
        {
            return [];
        }

        Span<int> ids = stackalloc int[count];
        Span<float> keys = stackalloc float[count];
        var found = TopSelection.SelectLargest(logits, ids, keys);
        var result = new TokenLogprob[found];
        for (var i = 0; i < found; i++)
        {
            result[i] = new TokenLogprob(ids[i], keys[i] - logNormalizer);
        }

        return result;
    }
}
