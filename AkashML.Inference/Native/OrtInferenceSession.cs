using System.Runtime.InteropServices;

namespace AkashML.Inference.Native;

/// <summary>An <c>OrtSession</c> with its input/output signature read once at creation. Run is thread-safe in ORT.</summary>
internal sealed unsafe class OrtInferenceSession : IDisposable
{
    private readonly OrtSessionHandle _handle;

    private OrtInferenceSession(OrtSessionHandle handle)
    {
        _handle = handle;
        Inputs = ReadSignature(isInput: true);
        Outputs = ReadSignature(isInput: false);
    }

    internal IReadOnlyList<OrtTensorInfo> Inputs { get; }

    internal IReadOnlyList<OrtTensorInfo> Outputs { get; }

    internal static OrtInferenceSession Create(string modelPath, OrtSessionOptions options)
    {
        IntPtr session;
        fixed (byte* path = OrtApi.PathZ(modelPath))
        {
            OrtApi.ThrowIfFailed(
                OrtApi.CreateSession(OnnxRuntimeLibrary.Env, path, options.Handle.DangerousGetHandle(), &session),
                "CreateSession");
        }

        GC.KeepAlive(options);
        return new OrtInferenceSession(new OrtSessionHandle(session));
    }

    internal static OrtInferenceSession Create(ReadOnlySpan<byte> modelBytes, OrtSessionOptions options)
    {
        IntPtr session;
        fixed (byte* data = modelBytes)
        {
            OrtApi.ThrowIfFailed(
                OrtApi.CreateSessionFromArray(OnnxRuntimeLibrary.Env, data, (nuint)modelBytes.Length, options.Handle.DangerousGetHandle(), &session),
                "CreateSessionFromArray");
        }

        GC.KeepAlive(options);
        return new OrtInferenceSession(new OrtSessionHandle(session));
    }

    internal OrtTensorInfo? FindInput(string name) => Find(Inputs, name);

    internal OrtTensorInfo? FindOutput(string name) => Find(Outputs, name);

    /// <summary>
    /// Runs the graph. <paramref name="outputs"/> entries that are zero are allocated by ORT and returned there;
    /// non-zero ones are written in place (a pre-allocated or shared buffer).
    /// </summary>
    internal void Run(
        OrtRunOptions? runOptions,
        ReadOnlySpan<IntPtr> inputNames,
        ReadOnlySpan<IntPtr> inputs,
        ReadOnlySpan<IntPtr> outputNames,
        Span<IntPtr> outputs)
    {
        var success = false;
        _handle.DangerousAddRef(ref success);
        try
        {
            fixed (IntPtr* inNames = inputNames)
            fixed (IntPtr* inValues = inputs)
            fixed (IntPtr* outNames = outputNames)
            fixed (IntPtr* outValues = outputs)
            {
                var options = runOptions is null ? IntPtr.Zero : runOptions.Handle.DangerousGetHandle();
                OrtApi.ThrowIfFailed(
                    OrtApi.Run(_handle.DangerousGetHandle(), options, inNames, inValues, (nuint)inputs.Length, outNames, (nuint)outputs.Length, outValues),
                    "Run");
            }
        }
        finally
        {
            if (success)
            {
                _handle.DangerousRelease();
            }

            GC.KeepAlive(runOptions);
        }
    }

    public void Dispose() => _handle.Dispose();

    private static OrtTensorInfo? Find(IReadOnlyList<OrtTensorInfo> list, string name)
    {
        foreach (var info in list)
        {
            if (string.Equals(info.Name, name, StringComparison.Ordinal))
            {
                return info;
            }
        }

        return null;
    }

    private OrtTensorInfo[] ReadSignature(bool isInput)
    {
        var session = _handle.DangerousGetHandle();
        nuint count;
        OrtApi.ThrowIfFailed(
            isInput ? OrtApi.SessionGetInputCount(session, &count) : OrtApi.SessionGetOutputCount(session, &count),
            isInput ? "SessionGetInputCount" : "SessionGetOutputCount");
        var result = new OrtTensorInfo[(int)count];
        var allocator = OnnxRuntimeLibrary.Allocator;
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            OrtApi.ThrowIfFailed(
                isInput ? OrtApi.SessionGetInputName(session, i, allocator, &rawName) : OrtApi.SessionGetOutputName(session, i, allocator, &rawName),
                isInput ? "SessionGetInputName" : "SessionGetOutputName");
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((IntPtr)rawName) ?? string.Empty;
            }
            finally
            {
                OrtApi.ThrowIfFailed(OrtApi.AllocatorFree(allocator, rawName), "AllocatorFree");
            }

            IntPtr typeInfo;
            OrtApi.ThrowIfFailed(
                isInput ? OrtApi.SessionGetInputTypeInfo(session, i, &typeInfo) : OrtApi.SessionGetOutputTypeInfo(session, i, &typeInfo),
                isInput ? "SessionGetInputTypeInfo" : "SessionGetOutputTypeInfo");
            using var typeHandle = new OrtTypeInfoHandle(typeInfo);
            result[(int)i] = ReadTypeInfo(name, typeInfo);
        }

        return result;
    }

    private static OrtTensorInfo ReadTypeInfo(string name, IntPtr typeInfo)
    {
        int onnxType;
        OrtApi.ThrowIfFailed(OrtApi.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType), "GetOnnxTypeFromTypeInfo");
        const int OnnxTypeTensor = 1;
        if (onnxType != OnnxTypeTensor)
        {
            return new OrtTensorInfo(name, false, TensorElementType.Undefined, [], []);
        }

        IntPtr tensorInfo;
        OrtApi.ThrowIfFailed(OrtApi.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo");
        TensorElementType elementType;
        OrtApi.ThrowIfFailed(OrtApi.GetTensorElementType(tensorInfo, &elementType), "GetTensorElementType");
        nuint rank;
        OrtApi.ThrowIfFailed(OrtApi.GetDimensionsCount(tensorInfo, &rank), "GetDimensionsCount");
        var dims = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            var names = stackalloc byte*[(int)rank];
            fixed (long* d = dims)
            {
                OrtApi.ThrowIfFailed(OrtApi.GetDimensions(tensorInfo, d, rank), "GetDimensions");
            }

            OrtApi.ThrowIfFailed(OrtApi.GetSymbolicDimensions(tensorInfo, names, rank), "GetSymbolicDimensions");
            for (var d = 0; d < (int)rank; d++)
            {
                symbolic[d] = names[d] == null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)names[d]) ?? string.Empty;
            }
        }

        return new OrtTensorInfo(name, true, elementType, dims, symbolic);
    }
}
