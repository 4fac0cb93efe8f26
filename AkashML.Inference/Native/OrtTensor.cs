namespace AkashML.Inference.Native;

/// <summary>Tensor helpers over raw <c>OrtValue*</c>: create (ORT-owned or over a pinned buffer), data pointer, shape.</summary>
internal static unsafe class OrtTensor
{
    /// <summary>Bytes per element of the types a decoder uses.</summary>
    internal static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double => 8,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        _ => throw new NotSupportedException($"Tensor element type {type} is not supported here."),
    };

    /// <summary>A tensor whose memory ORT allocates (and frees with the value).</summary>
    internal static OrtValueHandle Allocate(TensorElementType type, ReadOnlySpan<long> shape)
    {
        IntPtr value;
        fixed (long* dims = shape)
        {
            OrtApi.ThrowIfFailed(
                OrtApi.CreateTensorAsOrtValue(OnnxRuntimeLibrary.Allocator, dims, (nuint)shape.Length, type, &value),
                "CreateTensorAsOrtValue");
        }

        return new OrtValueHandle(value);
    }

    /// <summary>
    /// A tensor over caller memory (not copied). The caller keeps <paramref name="data"/> pinned and alive
    /// until the returned value is released.
    /// </summary>
    internal static IntPtr Wrap(void* data, long byteCount, TensorElementType type, ReadOnlySpan<long> shape)
    {
        IntPtr value;
        fixed (long* dims = shape)
        {
            OrtApi.ThrowIfFailed(
                OrtApi.CreateTensorWithDataAsOrtValue(OnnxRuntimeLibrary.CpuMemoryInfo, data, (nuint)byteCount, dims, (nuint)shape.Length, type, &value),
                "CreateTensorWithDataAsOrtValue");
        }

        return value;
    }

    internal static void* Data(IntPtr value)
    {
        void* data;
        OrtApi.ThrowIfFailed(OrtApi.GetTensorMutableData(value, &data), "GetTensorMutableData");
        return data;
    }

    /// <summary>Writes the tensor's dimensions into <paramref name="shape"/> and returns its rank.</summary>
    internal static int Shape(IntPtr value, Span<long> shape, out TensorElementType elementType)
    {
        IntPtr info;
        OrtApi.ThrowIfFailed(OrtApi.GetTensorTypeAndShape(value, &info), "GetTensorTypeAndShape");
        try
        {
            TensorElementType type;
            OrtApi.ThrowIfFailed(OrtApi.GetTensorElementType(info, &type), "GetTensorElementType");
            elementType = type;
            nuint rank;
            OrtApi.ThrowIfFailed(OrtApi.GetDimensionsCount(info, &rank), "GetDimensionsCount");
            if ((int)rank > shape.Length)
            {
                throw new InvalidOperationException($"Tensor rank {rank} exceeds the {shape.Length} dimensions expected.");
            }

            fixed (long* dims = shape)
            {
                OrtApi.ThrowIfFailed(OrtApi.GetDimensions(info, dims, rank), "GetDimensions");
            }

            return (int)rank;
        }
        finally
        {
            OrtApi.ReleaseTensorTypeAndShapeInfo(info);
        }
    }

    internal static void Release(IntPtr value)
    {
        if (value != IntPtr.Zero)
        {
            OrtApi.ReleaseValue(value);
        }
    }
}
