using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Tests.Building;

/// <summary>
/// A plain fp32 forward pass of the Llama architecture with naive loops and a KV cache, written straight from the
/// model definition (RMSNorm, rotary attention with grouped KV heads, SwiGLU), to check what the ONNX graph computes.
/// </summary>
public sealed class ReferenceLlama
{
    private readonly LlamaArchitecture _a;
    private readonly float[] _embedding;
    private readonly float[] _head;
    private readonly float[] _finalNorm;
    private readonly Layer[] _layers;
    private readonly float[] _frequencies;
    private readonly List<float[]>[] _keys;
    private readonly List<float[]>[] _values;

    public ReferenceLlama(ILlamaWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _a = weights.Architecture;
        _embedding = weights.TokenEmbedding();
        _head = weights.OutputProjection() ?? _embedding;
        _finalNorm = weights.FinalNorm();
        _layers = Enumerable.Range(0, _a.LayerCount).Select(l => new Layer(weights, l)).ToArray();
        _frequencies = RotaryTables.InverseFrequencies(_a.HeadSize, _a.RopeTheta, _a.RopeScaling);
        _keys = Enumerable.Range(0, _a.LayerCount).Select(_ => new List<float[]>()).ToArray();
        _values = Enumerable.Range(0, _a.LayerCount).Select(_ => new List<float[]>()).ToArray();
    }

    public int Position => _keys[0].Count;

    public void Reset()
    {
        foreach (var cache in _keys.Concat(_values))
        {
            cache.Clear();
        }
    }

    /// <summary>Runs one token at the next position and returns its logits.</summary>
    public float[] Step(int token)
    {
        var position = Position;
        var d = _a.HiddenSize;
        var x = new float[d];
        Array.Copy(_embedding, (long)token * d, x, 0, d);
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var normed = RmsNorm(x, layer.InputNorm);
            var q = MatVec(layer.Q, normed, _a.QuerySize, d, layer.QBias);
            var k = MatVec(layer.K, normed, _a.KeyValueSize, d, layer.KBias);
            var v = MatVec(layer.V, normed, _a.KeyValueSize, d, layer.VBias);
            Rotate(q, position, _a.HeadCount);
            Rotate(k, position, _a.KeyValueHeadCount);
            _keys[l].Add(k);
            _values[l].Add(v);
            var attention = Attend(q, _keys[l], _values[l]);
            var projected = MatVec(layer.O, attention, d, _a.QuerySize, null);
            for (var i = 0; i < d; i++)
            {
                x[i] += projected[i];
            }

            normed = RmsNorm(x, layer.PostNorm);
            var gate = MatVec(layer.Gate, normed, _a.IntermediateSize, d, null);
            var up = MatVec(layer.Up, normed, _a.IntermediateSize, d, null);
            for (var i = 0; i < gate.Length; i++)
            {
                gate[i] = gate[i] / (1f + MathF.Exp(-gate[i])) * up[i];
            }

            var down = MatVec(layer.Down, gate, d, _a.IntermediateSize, null);
            for (var i = 0; i < d; i++)
            {
                x[i] += down[i];
            }
        }

        return MatVec(_head, RmsNorm(x, _finalNorm), _a.VocabularySize, d, null);
    }

    /// <summary>Feeds the prompt, then picks the argmax (first maximum) <paramref name="steps"/> times.</summary>
    public List<int> Greedy(IReadOnlyList<int> prompt, int steps, int? stopToken = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        Reset();
        float[] logits = [];
        foreach (var token in prompt)
        {
            logits = Step(token);
        }

        var output = new List<int>();
        for (var s = 0; s < steps && Position < _a.ContextLength; s++)
        {
            var next = ArgMax(logits);
            if (next == stopToken)
            {
                break;
            }

            output.Add(next);
            logits = Step(next);
        }

        return output;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private float[] Attend(float[] q, List<float[]> keys, List<float[]> values)
    {
        var headSize = _a.HeadSize;
        var group = _a.HeadCount / _a.KeyValueHeadCount;
        var output = new float[_a.QuerySize];
        var scores = new float[keys.Count];
        var scale = 1f / MathF.Sqrt(headSize);
        for (var h = 0; h < _a.HeadCount; h++)
        {
            var kvHead = h / group;
            var max = float.NegativeInfinity;
            for (var t = 0; t < keys.Count; t++)
            {
                var dot = 0f;
                for (var i = 0; i < headSize; i++)
                {
                    dot += q[(h * headSize) + i] * keys[t][(kvHead * headSize) + i];
                }

                scores[t] = dot * scale;
                max = Math.Max(max, scores[t]);
            }

            var sum = 0f;
            for (var t = 0; t < keys.Count; t++)
            {
                scores[t] = MathF.Exp(scores[t] - max);
                sum += scores[t];
            }

            for (var t = 0; t < keys.Count; t++)
            {
                var weight = scores[t] / sum;
                for (var i = 0; i < headSize; i++)
                {
                    output[(h * headSize) + i] += weight * values[t][(kvHead * headSize) + i];
                }
            }
        }

        return output;
    }

    private void Rotate(float[] vector, int position, int heads)
    {
        var headSize = _a.HeadSize;
        var half = headSize / 2;
        for (var h = 0; h < heads; h++)
        {
            var start = h * headSize;
            for (var i = 0; i < half; i++)
            {
                var angle = position * _frequencies[i];
                var (cos, sin) = (MathF.Cos(angle), MathF.Sin(angle));
                var (first, second) = _a.RotaryInterleaved ? (start + (2 * i), start + (2 * i) + 1) : (start + i, start + i + half);
                var (x0, x1) = (vector[first], vector[second]);
                vector[first] = (x0 * cos) - (x1 * sin);
                vector[second] = (x0 * sin) + (x1 * cos);
            }
        }
    }

    private float[] RmsNorm(float[] x, float[] weight)
    {
        var sum = 0f;
        foreach (var value in x)
        {
            sum += value * value;
        }

        var inverse = 1f / MathF.Sqrt((sum / x.Length) + _a.RmsNormEpsilon);
        var result = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = x[i] * inverse * weight[i];
        }

        return result;
    }

    /// <summary>W [rows, cols] (row-major, HF layout) times x [cols], plus bias.</summary>
    private static float[] MatVec(float[] w, float[] x, int rows, int cols, float[]? bias)
    {
        var result = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var sum = bias?[r] ?? 0f;
            var offset = (long)r * cols;
            for (var c = 0; c < cols; c++)
            {
                sum += w[offset + c] * x[c];
            }

            result[r] = sum;
        }

        return result;
    }

    private sealed class Layer
    {
        public Layer(ILlamaWeights weights, int index)
        {
            InputNorm = weights.Layer(index, LlamaTensor.InputNorm);
            Q = weights.Layer(index, LlamaTensor.QueryWeight);
            K = weights.Layer(index, LlamaTensor.KeyWeight);
            V = weights.Layer(index, LlamaTensor.ValueWeight);
            O = weights.Layer(index, LlamaTensor.OutputWeight);
            PostNorm = weights.Layer(index, LlamaTensor.PostAttentionNorm);
            Gate = weights.Layer(index, LlamaTensor.GateWeight);
            Up = weights.Layer(index, LlamaTensor.UpWeight);
            Down = weights.Layer(index, LlamaTensor.DownWeight);
            if (weights.Architecture.AttentionBias)
            {
                QBias = weights.Layer(index, LlamaTensor.QueryBias);
                KBias = weights.Layer(index, LlamaTensor.KeyBias);
                VBias = weights.Layer(index, LlamaTensor.ValueBias);
            }
        }

        public float[] InputNorm { get; }

        public float[] Q { get; }

        public float[] K { get; }

        public float[] V { get; }

        public float[] O { get; }

        public float[]? QBias { get; }

        public float[]? KBias { get; }

        public float[]? VBias { get; }

        public float[] PostNorm { get; }

        public float[] Gate { get; }

        public float[] Up { get; }

        public float[] Down { get; }
    }
}
