namespace AkashML.Inference.Building.Llama;

/// <summary>
/// Rotary cos/sin tables, [positions, head_size / 2], computed in float32 as llama2.c and Hugging Face do.
/// </summary>
public static class RotaryTables
{
    public static float[] InverseFrequencies(int headSize, double theta, RopeScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        var half = headSize / 2;
        var frequencies = new float[half];
        for (var i = 0; i < half; i++)
        {
            frequencies[i] = 1.0f / MathF.Pow((float)theta, 2 * i / (float)headSize);
        }

        switch (scaling.Kind)
        {
            case RopeScalingKind.None:
                break;
            case RopeScalingKind.Linear:
                for (var i = 0; i < half; i++)
                {
                    frequencies[i] /= (float)scaling.Factor;
                }

                break;
            case RopeScalingKind.Llama3:
                ApplyLlama3(frequencies, scaling);
                break;
            default:
                throw new ModelBuildException($"Unsupported rope scaling {scaling.Kind}.");
        }

        return frequencies;
    }

    /// <summary>Returns (cos, sin), each [positions * head_size / 2].</summary>
    public static (float[] Cos, float[] Sin) Create(int positions, int headSize, double theta, RopeScaling scaling)
    {
        var frequencies = InverseFrequencies(headSize, theta, scaling);
        var half = frequencies.Length;
        var cos = new float[positions * half];
        var sin = new float[positions * half];
        for (var p = 0; p < positions; p++)
        {
            for (var i = 0; i < half; i++)
            {
                var angle = p * frequencies[i];
                cos[(p * half) + i] = MathF.Cos(angle);
                sin[(p * half) + i] = MathF.Sin(angle);
            }
        }

        return (cos, sin);
    }

    private static void ApplyLlama3(float[] frequencies, RopeScaling scaling)
    {
        var original = scaling.OriginalMaxPositionEmbeddings;
        var lowWavelength = original / scaling.LowFreqFactor;
        var highWavelength = original / scaling.HighFreqFactor;
        for (var i = 0; i < frequencies.Length; i++)
        {
            double frequency = frequencies[i];
            var wavelength = 2 * Math.PI / frequency;
            if (wavelength < highWavelength)
            {
                continue;
            }

            if (wavelength > lowWavelength)
            {
                frequencies[i] = (float)(frequency / scaling.Factor);
                continue;
            }

            var smooth = ((original / wavelength) - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
            frequencies[i] = (float)(((1 - smooth) * frequency / scaling.Factor) + (smooth * frequency));
        }
    }
}
