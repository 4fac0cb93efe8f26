using AkashML.Inference.Runtime;
using AkashML.Inference.Runtime.Caching;

namespace AkashML.Inference.Generation;

/// <summary>
/// Token-by-token generation over a <see cref="Model"/>, with ONNX Runtime GenAI's semantics: <see cref="AppendTokens"/>
/// runs the prompt, <see cref="GenerateNextToken"/> (re)computes logits when stale, applies min_length and
/// repetition_penalty, then selects greedily, by sampling or by beam search. Rows finished with EOS receive pad tokens;
/// the EOS that finishes the last open row is not appended. Not thread-safe; one generator per request (or batch).
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly Model _model;
    private readonly GeneratorParams _params;
    private readonly DecoderState _state;
    private readonly int _batchSize;
    private readonly int _numBeams;
    private readonly int _rows;
    private readonly int _maxLength;
    private readonly int _vocabSize;
    private readonly int _padTokenId;
    private readonly int[] _eosTokenIds;
    private readonly int[] _sequences;
    private readonly int[] _scratch;
    private readonly float[] _scores;
    private readonly int[] _nextTokens;
    private readonly bool[] _eosSeen;
    private readonly ITokenSelector?[] _selectors;
    private readonly ITokenSelector _defaultSelector;
    private readonly BeamSearchScorer? _beamScorer;
    private readonly float[] _candidateScores;
    private readonly int[] _candidateTokens;
    private readonly int[] _candidateBeams;
    private readonly bool[] _seenToken;
    private int _length;
    private bool _logitsReady;
    // A decode run leaves its logits in the model's output; _scores gets them only when something needs fp32 (see Scores).
    private bool _scoresPending;
    private bool _rewound;
    private bool _beamIndicesPending;
    private int _notDoneCount;
    private bool _done;
    private bool _disposed;

    /// <summary>Validates <paramref name="parameters"/> (see <see cref="GeneratorParams.Validate"/>) and allocates all per-step buffers once.</summary>
    public Generator(Model model, GeneratorParams parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate(model);
        _model = model;
        _params = parameters;
        _batchSize = parameters.BatchSize;
        _numBeams = parameters.NumBeams;
        _rows = _batchSize * _numBeams;
        _maxLength = parameters.MaxLength;
        _vocabSize = model.VocabSize;
        _padTokenId = model.PadTokenId;
        _eosTokenIds = [.. model.EosTokenIds];
        _sequences = new int[_rows * _maxLength];
        _scratch = new int[_rows * _maxLength];
        _scores = new float[_rows * _vocabSize];
        _nextTokens = new int[_rows];
        _eosSeen = new bool[_batchSize];
        _selectors = new ITokenSelector?[_batchSize];
        _seenToken = new bool[_vocabSize];
        _notDoneCount = _batchSize;
        _defaultSelector = parameters.IsGreedy
            ? GreedyTokenSelector.Instance
            : new TopKTopPSampler(parameters.TopK, parameters.TopP, parameters.Temperature, parameters.RandomSeed);
        if (_numBeams > 1)
        {
            _beamScorer = new BeamSearchScorer(_batchSize, _numBeams, parameters.LengthPenalty, parameters.EarlyStopping, _eosTokenIds[0], _padTokenId);
            _candidateScores = new float[_batchSize * 2 * _numBeams];
            _candidateTokens = new int[_batchSize * 2 * _numBeams];
            _candidateBeams = new int[_batchSize * 2 * _numBeams];
        }
        else
        {
            _candidateScores = [];
            _candidateTokens = [];
            _candidateBeams = [];
        }

        _state = new DecoderState(model, _rows, _maxLength, parameters.PastPresentShareBuffer && _numBeams == 1);
    }

    public Model Model => _model;

    public GeneratorParams Parameters => _params;

    /// <summary>Tokens per row so far, prompt included (GenAI's token count / sequence length).</summary>
    public int SequenceLength => _length;

    /// <summary>
    /// True once every row produced EOS (greedy/sampling), every beam row is finished (beam search), or max_length is
    /// reached. False while logits are pending selection.
    /// </summary>
    public bool IsDone
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_length >= _maxLength)
            {
                return true;
            }

            if (_logitsReady)
            {
                return false;
            }

            return _beamScorer is not null ? _beamScorer.IsDone : _done;
        }
    }

    /// <summary>Uses <paramref name="selector"/> (e.g. a sampler with penalties) for batch row <paramref name="row"/>; null restores the default.</summary>
    public void SetTokenSelector(int row, ITokenSelector? selector)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, _batchSize);
        if (_beamScorer is not null)
        {
            throw new InvalidOperationException("Beam search selects across beams itself; per-row token selectors need num_beams = 1.");
        }

        _selectors[row] = selector;
    }

    /// <summary>
    /// Appends tokens to every row and runs the model on them. <paramref name="tokens"/> is batch-major: batch_size rows of
    /// equal length (pad on the right with pad_token_id). With batch_size &gt; 1 this is allowed once (again after RewindTo(0)).
    /// </summary>
    public void AppendTokens(ReadOnlySpan<int> tokens, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("No tokens to append.", nameof(tokens));
        }

        if (tokens.Length % _batchSize != 0)
        {
            throw new ArgumentException($"{tokens.Length} tokens cannot be split into batch_size {_batchSize} rows of equal length.", nameof(tokens));
        }

        var perRow = tokens.Length / _batchSize;
        if (perRow + _length > _maxLength)
        {
            throw new ContextLengthExceededException(
                perRow + _length,
                _maxLength,
                $"{perRow} tokens per row + the current sequence length {_length} exceed max_length {_maxLength}.");
        }

        if (_length != 0 && _batchSize > 1)
        {
            throw new InvalidOperationException("AppendTokens can be called only once with batch_size > 1; call RewindTo(0) before appending again.");
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)_vocabSize)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(tokens),
                    tokens[i],
                    $"Token id {tokens[i]} (row {i / perRow}, position {i % perRow}) is outside the model's vocabulary [0, {_vocabSize}).");
            }
        }

        // Rows are expanded num_beams times: row r of the model is batch r / num_beams.
        var expanded = _scratch.AsSpan(0, _rows * perRow);
        for (var r = 0; r < _rows; r++)
        {
            tokens.Slice(r / _numBeams * perRow, perRow).CopyTo(expanded.Slice(r * perRow));
        }

        _state.Run(expanded, perRow, _scores, cancellationToken);
        _scoresPending = false;

        for (var r = 0; r < _rows; r++)
        {
            expanded.Slice(r * perRow, perRow).CopyTo(_sequences.AsSpan((r * _maxLength) + _length));
        }

        _length += perRow;
        _logitsReady = true;
        _rewound = false;
        _beamIndicesPending = false;
        ResetDone();
    }

    /// <summary>
    /// Appends a first prompt like <see cref="AppendTokens"/>, starting from the longest cached block prefix of it and
    /// running only the rest, then caches the prompt's whole blocks. Returns the prompt tokens reused. A generator with
    /// several rows, or a model with combined KV tensors, runs the whole prompt and reuses nothing.
    /// </summary>
    internal int AppendPrompt(int[] prompt, PrefixCache? cache, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cache is null || _length != 0 || _rows != 1 || !_state.CanReusePrefix || prompt.Length > _maxLength)
        {
            AppendTokens(prompt, cancellationToken);
            return 0;
        }

        var blocks = cache.Match(prompt);
        var cached = blocks.Count * cache.BlockTokens;
        if (cached > 0)
        {
            _state.LoadPrefix(blocks, cache);
            prompt.AsSpan(0, cached).CopyTo(_sequences);
            _length = cached;
        }

        AppendTokens(prompt.AsSpan(cached), cancellationToken);
        cache.Insert(prompt, prompt.Length, (start, block) => _state.CopyBlock(start, block, cache));
        return cached;
    }

    /// <summary>Computes logits if needed, applies min_length / penalties and appends the next token of every row.</summary>
    public void GenerateNextToken(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_length == 0 && !_logitsReady)
        {
            throw new InvalidOperationException("GenerateNextToken needs a prompt: call AppendTokens (or SetLogits) first.");
        }

        if (_length >= _maxLength)
        {
            throw new InvalidOperationException($"The sequence already has max_length = {_maxLength} tokens; check IsDone before generating.");
        }

        EnsureLogits(cancellationToken);
        _logitsReady = false;
        if (TrySelectGreedyFromModelRows())
        {
            return;
        }

        ApplyMinLength();
        ApplyRepetitionPenalty();
        ApplyNoRepeatNgram();
        if (_beamScorer is not null)
        {
            SelectBeams();
        }
        else
        {
            SelectPerRow();
        }
    }

    /// <summary>The next-token scores of every row ([batch_size × num_beams, vocab_size], fp32), computing them if stale.</summary>
    public ReadOnlySpan<float> GetLogits(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_length == 0 && !_logitsReady)
        {
            throw new InvalidOperationException("There are no logits before AppendTokens.");
        }

        EnsureLogits(cancellationToken);
        return Scores();
    }

    /// <summary>Replaces the next-token scores ([rows, vocab_size]); the next GenerateNextToken selects from them without running the model.</summary>
    public void SetLogits(ReadOnlySpan<float> logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (logits.Length != _scores.Length)
        {
            throw new ArgumentException($"Expected {_scores.Length} logits (rows {_rows} × vocab_size {_vocabSize}), got {logits.Length}.", nameof(logits));
        }

        logits.CopyTo(_scores);
        _scoresPending = false;
        _logitsReady = true;
    }

    /// <summary>
    /// The raw output of the last model run for <paramref name="name"/> ("logits" only: [rows, tokens in that run, vocab], as fp32).
    /// </summary>
    public float[] GetOutput(string name, out long[] shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!string.Equals(name, "logits", StringComparison.Ordinal) && !string.Equals(name, _model.Signature.Logits, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Only the logits output can be read, not '{name}'.", nameof(name));
        }

        return _state.CopyRawLogits(out shape);
    }

    /// <summary>
    /// Row <paramref name="index"/>'s tokens. With beam search, index = batch × num_return_sequences + k gives the k-th best
    /// hypothesis of that batch row (finalising the search).
    /// </summary>
    public ReadOnlySpan<int> GetSequence(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_beamScorer is not null)
        {
            var count = _batchSize * _params.NumReturnSequences;
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
            _beamScorer.Finalize(_sequences, _maxLength, _length);
            return _beamScorer.Hypothesis(index / _params.NumReturnSequences, index % _params.NumReturnSequences);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _rows);
        return _sequences.AsSpan(index * _maxLength, _length);
    }

    /// <summary>
    /// Cuts every row back to <paramref name="length"/> tokens (batch_size 1, or 0 for any batch; not with beams). The next
    /// GenerateNextToken re-runs the token that was at that index; AppendTokens instead continues with new tokens.
    /// </summary>
    public void RewindTo(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_beamScorer is not null)
        {
            throw new NotSupportedException("RewindTo is not supported with beam search (num_beams > 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Cannot rewind to {length}: the sequence has only {_length} tokens.");
        }

        if (length == _length)
        {
            return;
        }

        if (_batchSize > 1 && length != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "With batch_size > 1 RewindTo only accepts 0.");
        }

        ResetDone();
        for (var r = 0; r < _rows; r++)
        {
            _nextTokens[r] = length > 0 ? _sequences[(r * _maxLength) + length] : 0;
        }

        _length = length;
        _state.Truncate(length);
        _logitsReady = false;
        _scoresPending = false;
        _rewound = length > 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _state.Dispose();
    }

    private void EnsureLogits(CancellationToken cancellationToken)
    {
        if (_logitsReady)
        {
            return;
        }

        if (_rewound)
        {
            // GenAI re-appends the token that sat at the rewind point and runs it.
            _state.Run(_nextTokens, 1, [], cancellationToken);
            _scoresPending = true;
            for (var r = 0; r < _rows; r++)
            {
                _sequences[(r * _maxLength) + _length] = _nextTokens[r];
            }

            _length++;
            _rewound = false;
        }
        else
        {
            if (_beamIndicesPending)
            {
                _state.ReorderRows(_beamScorer!.NextIndices);
                _beamIndicesPending = false;
            }

            for (var r = 0; r < _rows; r++)
            {
                _nextTokens[r] = _sequences[(r * _maxLength) + _length - 1];
            }

            _state.Run(_nextTokens, 1, [], cancellationToken);
            _scoresPending = true;
        }

        _logitsReady = true;
    }

    /// <summary>The next-token scores as fp32, converted from the model's output on first use after a decode run.</summary>
    private Span<float> Scores()
    {
        if (_scoresPending)
        {
            _state.ReadLogits(_scores);
            _scoresPending = false;
        }

        return _scores;
    }

    /// <summary>
    /// Plain greedy decoding (GenAI's default: no beams, penalties, n-gram ban or custom selectors, one EOS id) picks
    /// each row's first maximum straight from the model's fp16/fp32 output, with min_length's EOS ban scored on its own:
    /// the same token as converting the row and taking <see cref="GreedyTokenSelector.ArgMax"/>, without the conversion.
    /// False, having changed nothing, where a row needs the fp32 path (non-finite maximum, EOS at the maximum under min_length).
    /// </summary>
    private bool TrySelectGreedyFromModelRows()
    {
        if (!_scoresPending
            || _beamScorer is not null
            || _defaultSelector is not GreedyTokenSelector
            || _params.RepetitionPenalty != 1f
            || (_params.NoRepeatNgramSize > 0 && _length + 1 >= _params.NoRepeatNgramSize)
            || _eosTokenIds.Length != 1
            || Array.Exists(_selectors, selector => selector is not null))
        {
            return false;
        }

        var eos = _eosTokenIds[0];
        var banEos = _length < _params.MinLength;
        Span<int> tokens = _batchSize <= 64 ? stackalloc int[_batchSize] : new int[_batchSize];

        for (var b = 0; b < _batchSize; b++)
        {
            if (_eosSeen[b])
            {
                continue;
            }

            if (_state.LastTokenLogits(b) is not { } row || !row.TryArgMax(out var best) || (banEos && best == eos))
            {
                return false;
            }

            if (banEos && (uint)eos < (uint)_vocabSize)
            {
                // min_length scores EOS float.MinValue; the first maximum still wins a tie.
                var top = row[best];
                if (float.MinValue > top || (float.MinValue == top && eos < best))
                {
                    best = eos;
                }
            }

            tokens[b] = best;
        }

        CommitPerRow(tokens);
        return true;
    }

    private void ResetDone()
    {
        _done = false;
        _notDoneCount = _batchSize;
        Array.Clear(_eosSeen);
    }

    private void ApplyMinLength()
    {
        if (_length >= _params.MinLength)
        {
            return;
        }

        for (var r = 0; r < _rows; r++)
        {
            var row = Scores().Slice(r * _vocabSize, _vocabSize);
            foreach (var eos in _eosTokenIds)
            {
                row[eos] = float.MinValue;
            }
        }
    }

    private void ApplyRepetitionPenalty()
    {
        var penalty = _params.RepetitionPenalty;
        if (penalty == 1f)
        {
            return;
        }

        for (var r = 0; r < _rows; r++)
        {
            var row = Scores().Slice(r * _vocabSize, _vocabSize);
            var sequence = _sequences.AsSpan(r * _maxLength, _length);
            foreach (var token in sequence)
            {
                if ((uint)token >= (uint)_vocabSize || _seenToken[token])
                {
                    continue;
                }

                _seenToken[token] = true;
                var score = row[token];
                row[token] = score < 0 ? score * penalty : score / penalty;
            }

            foreach (var token in sequence)
            {
                if ((uint)token < (uint)_vocabSize)
                {
                    _seenToken[token] = false;
                }
            }
        }
    }

    private void ApplyNoRepeatNgram()
    {
        var n = _params.NoRepeatNgramSize;
        if (n <= 0 || _length + 1 < n)
        {
            return;
        }

        for (var r = 0; r < _rows; r++)
        {
            var row = Scores().Slice(r * _vocabSize, _vocabSize);
            var sequence = _sequences.AsSpan(r * _maxLength, _length);
            var prefix = sequence[(_length - n + 1)..];
            for (var start = 0; start + n <= _length; start++)
            {
                if (sequence.Slice(start, n - 1).SequenceEqual(prefix))
                {
                    var banned = sequence[start + n - 1];
                    if ((uint)banned < (uint)_vocabSize)
                    {
                        row[banned] = float.MinValue;
                    }
                }
            }
        }
    }

    private void SelectPerRow()
    {
        Span<int> tokens = _batchSize <= 64 ? stackalloc int[_batchSize] : new int[_batchSize];
        for (var b = 0; b < _batchSize; b++)
        {
            if (_eosSeen[b])
            {
                continue;
            }

            var selector = _selectors[b] ?? _defaultSelector;
            var token = selector.SelectToken(Scores().Slice(b * _vocabSize, _vocabSize), _sequences.AsSpan(b * _maxLength, _length));
            if ((uint)token >= (uint)_vocabSize)
            {
                throw new InvalidOperationException($"The token selector returned {token}, outside [0, {_vocabSize}).");
            }

            tokens[b] = token;
        }

        CommitPerRow(tokens);
    }

    /// <summary>Appends each open row's chosen token (pad after a row's EOS) and updates which rows, and whether all, are done.</summary>
    private void CommitPerRow(ReadOnlySpan<int> tokens)
    {
        for (var b = 0; b < _batchSize; b++)
        {
            if (_eosSeen[b])
            {
                _nextTokens[b] = _padTokenId;
                continue;
            }

            var token = tokens[b];
            _nextTokens[b] = token;
            if (Array.IndexOf(_eosTokenIds, token) >= 0)
            {
                _eosSeen[b] = true;
                if (--_notDoneCount == 0)
                {
                    _done = true;
                }
            }
        }

        if (_done)
        {
            return;
        }

        for (var b = 0; b < _batchSize; b++)
        {
            _sequences[(b * _maxLength) + _length] = _nextTokens[b];
        }

        _length++;
        if (_length == _maxLength)
        {
            _done = true;
        }
    }

    private void SelectBeams()
    {
        var scorer = _beamScorer!;
        var topK = 2 * _numBeams;
        for (var r = 0; r < _rows; r++)
        {
            var row = Scores().Slice(r * _vocabSize, _vocabSize);
            LogSoftmax(row);
            var beamScore = scorer.NextScores[r];
            for (var v = 0; v < row.Length; v++)
            {
                row[v] += beamScore;
            }
        }

        for (var batch = 0; batch < _batchSize; batch++)
        {
            var scores = _candidateScores.AsSpan(batch * topK, topK);
            var tokens = _candidateTokens.AsSpan(batch * topK, topK);
            var beams = _candidateBeams.AsSpan(batch * topK, topK);
            var all = Scores().Slice(batch * _numBeams * _vocabSize, _numBeams * _vocabSize);
            var count = 0;
            for (var i = 0; i < all.Length; i++)
            {
                var score = all[i];
                if (count == topK && !(score > scores[count - 1]))
                {
                    continue;
                }

                var position = count < topK ? count++ : topK - 1;
                while (position > 0 && score > scores[position - 1])
                {
                    scores[position] = scores[position - 1];
                    tokens[position] = tokens[position - 1];
                    beams[position] = beams[position - 1];
                    position--;
                }

                scores[position] = score;
                tokens[position] = i % _vocabSize;
                beams[position] = i / _vocabSize;
            }
        }

        scorer.Process(_sequences, _maxLength, _length, _candidateScores, _candidateTokens, _candidateBeams);

        // New beam r continues row NextIndices[r]: rebuild the sequences, then append the chosen tokens.
        var next = _scratch.AsSpan(0, _rows * _maxLength);
        for (var r = 0; r < _rows; r++)
        {
            _sequences.AsSpan(scorer.NextIndices[r] * _maxLength, _length).CopyTo(next.Slice(r * _maxLength));
            next[(r * _maxLength) + _length] = scorer.NextTokens[r];
        }

        for (var r = 0; r < _rows; r++)
        {
            next.Slice(r * _maxLength, _length + 1).CopyTo(_sequences.AsSpan(r * _maxLength));
        }

        _length++;
        _beamIndicesPending = true;
    }

    private static void LogSoftmax(Span<float> scores)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }

        var sum = 0f;
        foreach (var s in scores)
        {
            sum += MathF.Exp(s - max);
        }

        var logSum = MathF.Log(sum);
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = scores[i] - max - logSum;
        }
    }
}
