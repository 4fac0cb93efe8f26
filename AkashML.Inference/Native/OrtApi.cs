using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AkashML.Inference.Native;

/// <summary>
/// The <c>OrtApi</c> function table of ONNX Runtime's C API, read once through <c>OrtGetApiBase()->GetApi(30)</c>.
/// Slot numbers are the entries' positions in <c>struct OrtApi</c> (append-only, so stable across versions).
/// Opaque C pointers are <see cref="IntPtr"/>, <c>size_t</c> is <see cref="nuint"/>, <c>char*</c> is UTF-8 bytes;
/// every status-returning entry returns <c>OrtStatus*</c> (null = success), checked by <see cref="ThrowIfFailed"/>.
/// </summary>
internal static unsafe class OrtApi
{
    /// <summary>
    /// The API version we ask for: the oldest that has every entry below (ORT 1.30). The NuGet library (1.32) serves up
    /// to 32; a library older than 1.30 returns null and is reported as unsupported.
    /// </summary>
    internal const uint ApiVersion = 30;

    // OrtErrorCode GetErrorCode(const OrtStatus*)
    internal static delegate* unmanaged<IntPtr, OrtErrorCode> GetErrorCode;

    // const char* GetErrorMessage(const OrtStatus*)
    internal static delegate* unmanaged<IntPtr, byte*> GetErrorMessage;

    // OrtStatus* CreateEnv(OrtLoggingLevel, const char* logid, OrtEnv** out)
    internal static delegate* unmanaged<int, byte*, IntPtr*, IntPtr> CreateEnv;

    // OrtStatus* EnableTelemetryEvents / DisableTelemetryEvents (const OrtEnv*)
    internal static delegate* unmanaged<IntPtr, IntPtr> EnableTelemetryEvents;
    internal static delegate* unmanaged<IntPtr, IntPtr> DisableTelemetryEvents;

    // OrtStatus* CreateSession(const OrtEnv*, const ORTCHAR_T* model_path, const OrtSessionOptions*, OrtSession** out)
    internal static delegate* unmanaged<IntPtr, void*, IntPtr, IntPtr*, IntPtr> CreateSession;

    // OrtStatus* CreateSessionFromArray(const OrtEnv*, const void* data, size_t length, const OrtSessionOptions*, OrtSession** out)
    internal static delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray;

    // OrtStatus* Run(OrtSession*, const OrtRunOptions*, const char* const* input_names, const OrtValue* const* inputs,
    //                size_t input_len, const char* const* output_names, size_t output_len, OrtValue** outputs)
    internal static delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr> Run;

    // OrtStatus* CreateSessionOptions(OrtSessionOptions** out)
    internal static delegate* unmanaged<IntPtr*, IntPtr> CreateSessionOptions;

    // OrtStatus* EnableProfiling(OrtSessionOptions*, const ORTCHAR_T* prefix)
    internal static delegate* unmanaged<IntPtr, void*, IntPtr> EnableProfiling;

    // OrtStatus* EnableMemPattern / DisableMemPattern / EnableCpuMemArena / DisableCpuMemArena (OrtSessionOptions*)
    internal static delegate* unmanaged<IntPtr, IntPtr> EnableMemPattern;
    internal static delegate* unmanaged<IntPtr, IntPtr> DisableMemPattern;
    internal static delegate* unmanaged<IntPtr, IntPtr> EnableCpuMemArena;
    internal static delegate* unmanaged<IntPtr, IntPtr> DisableCpuMemArena;

    // OrtStatus* SetSessionLogId(OrtSessionOptions*, const char*)
    internal static delegate* unmanaged<IntPtr, byte*, IntPtr> SetSessionLogId;

    // OrtStatus* SetSessionLogVerbosityLevel / SetSessionLogSeverityLevel / SetSessionGraphOptimizationLevel /
    //            SetIntraOpNumThreads / SetInterOpNumThreads (OrtSessionOptions*, int)
    internal static delegate* unmanaged<IntPtr, int, IntPtr> SetSessionLogVerbosityLevel;
    internal static delegate* unmanaged<IntPtr, int, IntPtr> SetSessionLogSeverityLevel;
    internal static delegate* unmanaged<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;
    internal static delegate* unmanaged<IntPtr, int, IntPtr> SetIntraOpNumThreads;
    internal static delegate* unmanaged<IntPtr, int, IntPtr> SetInterOpNumThreads;

    // OrtStatus* SessionGetInputCount / SessionGetOutputCount (const OrtSession*, size_t* out)
    internal static delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetInputCount;
    internal static delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetOutputCount;

    // OrtStatus* SessionGetInputTypeInfo / SessionGetOutputTypeInfo (const OrtSession*, size_t index, OrtTypeInfo** out)
    internal static delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;
    internal static delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;

    // OrtStatus* SessionGetInputName / SessionGetOutputName (const OrtSession*, size_t index, OrtAllocator*, char** out)
    internal static delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;
    internal static delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;

    // OrtStatus* CreateRunOptions(OrtRunOptions** out)
    internal static delegate* unmanaged<IntPtr*, IntPtr> CreateRunOptions;

    // OrtStatus* RunOptionsSetTerminate / RunOptionsUnsetTerminate (OrtRunOptions*)
    internal static delegate* unmanaged<IntPtr, IntPtr> RunOptionsSetTerminate;
    internal static delegate* unmanaged<IntPtr, IntPtr> RunOptionsUnsetTerminate;

    // OrtStatus* CreateTensorAsOrtValue(OrtAllocator*, const int64_t* shape, size_t rank, ONNXTensorElementDataType, OrtValue** out)
    internal static delegate* unmanaged<IntPtr, long*, nuint, TensorElementType, IntPtr*, IntPtr> CreateTensorAsOrtValue;

    // OrtStatus* CreateTensorWithDataAsOrtValue(const OrtMemoryInfo*, void* data, size_t bytes, const int64_t* shape,
    //                                           size_t rank, ONNXTensorElementDataType, OrtValue** out)
    internal static delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, TensorElementType, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue;

    // OrtStatus* GetTensorMutableData(OrtValue*, void** out)
    internal static delegate* unmanaged<IntPtr, void**, IntPtr> GetTensorMutableData;

    // OrtStatus* CastTypeInfoToTensorInfo(const OrtTypeInfo*, const OrtTensorTypeAndShapeInfo** out) (borrowed)
    internal static delegate* unmanaged<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;

    // OrtStatus* GetOnnxTypeFromTypeInfo(const OrtTypeInfo*, ONNXType* out)
    internal static delegate* unmanaged<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;

    // OrtStatus* GetTensorElementType(const OrtTensorTypeAndShapeInfo*, ONNXTensorElementDataType* out)
    internal static delegate* unmanaged<IntPtr, TensorElementType*, IntPtr> GetTensorElementType;

    // OrtStatus* GetDimensionsCount(const OrtTensorTypeAndShapeInfo*, size_t* out)
    internal static delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCount;

    // OrtStatus* GetDimensions(const OrtTensorTypeAndShapeInfo*, int64_t* values, size_t count)
    internal static delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensions;

    // OrtStatus* GetSymbolicDimensions(const OrtTensorTypeAndShapeInfo*, const char** values, size_t count)
    internal static delegate* unmanaged<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;

    // OrtStatus* GetTensorTypeAndShape(const OrtValue*, OrtTensorTypeAndShapeInfo** out) (release it)
    internal static delegate* unmanaged<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;

    // OrtStatus* CreateCpuMemoryInfo(OrtAllocatorType, OrtMemType, OrtMemoryInfo** out)
    internal static delegate* unmanaged<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;

    // OrtStatus* AllocatorFree(OrtAllocator*, void*)
    internal static delegate* unmanaged<IntPtr, void*, IntPtr> AllocatorFree;

    // OrtStatus* GetAllocatorWithDefaultOptions(OrtAllocator** out) (borrowed, never released)
    internal static delegate* unmanaged<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;

    // void ReleaseX(OrtX*)
    internal static delegate* unmanaged<IntPtr, void> ReleaseEnv;
    internal static delegate* unmanaged<IntPtr, void> ReleaseStatus;
    internal static delegate* unmanaged<IntPtr, void> ReleaseMemoryInfo;
    internal static delegate* unmanaged<IntPtr, void> ReleaseSession;
    internal static delegate* unmanaged<IntPtr, void> ReleaseValue;
    internal static delegate* unmanaged<IntPtr, void> ReleaseRunOptions;
    internal static delegate* unmanaged<IntPtr, void> ReleaseTypeInfo;
    internal static delegate* unmanaged<IntPtr, void> ReleaseTensorTypeAndShapeInfo;
    internal static delegate* unmanaged<IntPtr, void> ReleaseSessionOptions;

    // OrtStatus* GetAvailableProviders(char*** out, int* count) / ReleaseAvailableProviders(char**, int)
    internal static delegate* unmanaged<byte***, int*, IntPtr> GetAvailableProviders;
    internal static delegate* unmanaged<byte**, int, IntPtr> ReleaseAvailableProviders;

    // OrtStatus* AddSessionConfigEntry(OrtSessionOptions*, const char* key, const char* value)
    internal static delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> AddSessionConfigEntry;

    // OrtStatus* AddRunConfigEntry(OrtRunOptions*, const char* key, const char* value)
    internal static delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> AddRunConfigEntry;

    // OrtStatus* RegisterCustomOpsLibrary_V2(OrtSessionOptions*, const ORTCHAR_T* library_name)
    internal static delegate* unmanaged<IntPtr, void*, IntPtr> RegisterCustomOpsLibraryV2;

    // OrtStatus* SessionOptionsAppendExecutionProvider_CUDA_V2(OrtSessionOptions*, const OrtCUDAProviderOptionsV2*)
    internal static delegate* unmanaged<IntPtr, IntPtr, IntPtr> SessionOptionsAppendExecutionProviderCudaV2;

    // OrtStatus* CreateCUDAProviderOptions(OrtCUDAProviderOptionsV2** out)
    internal static delegate* unmanaged<IntPtr*, IntPtr> CreateCudaProviderOptions;

    // OrtStatus* UpdateCUDAProviderOptions(OrtCUDAProviderOptionsV2*, const char* const* keys, const char* const* values, size_t count)
    internal static delegate* unmanaged<IntPtr, byte**, byte**, nuint, IntPtr> UpdateCudaProviderOptions;

    // void ReleaseCUDAProviderOptions(OrtCUDAProviderOptionsV2*)
    internal static delegate* unmanaged<IntPtr, void> ReleaseCudaProviderOptions;

    // OrtStatus* SessionOptionsAppendExecutionProvider(OrtSessionOptions*, const char* name, const char* const* keys,
    //                                                  const char* const* values, size_t count)
    internal static delegate* unmanaged<IntPtr, byte*, byte**, byte**, nuint, IntPtr> SessionOptionsAppendExecutionProvider;

    // const char* GetBuildInfoString(void)
    internal static delegate* unmanaged<byte*> GetBuildInfoString;

    // OrtStatus* GetTensorSizeInBytes(const OrtValue*, size_t* out)
    internal static delegate* unmanaged<IntPtr, nuint*, IntPtr> GetTensorSizeInBytes;

    /// <summary>Highest slot we read; the table of API version 30 has 426 entries.</summary>
    internal const int HighestSlotUsed = 318;

    /// <summary>Reads every entry we use from the table returned by <c>GetApi</c>.</summary>
    internal static void Bind(IntPtr* table)
    {
        GetErrorCode = (delegate* unmanaged<IntPtr, OrtErrorCode>)table[1];
        GetErrorMessage = (delegate* unmanaged<IntPtr, byte*>)table[2];
        CreateEnv = (delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)table[3];
        EnableTelemetryEvents = (delegate* unmanaged<IntPtr, IntPtr>)table[5];
        DisableTelemetryEvents = (delegate* unmanaged<IntPtr, IntPtr>)table[6];
        CreateSession = (delegate* unmanaged<IntPtr, void*, IntPtr, IntPtr*, IntPtr>)table[7];
        CreateSessionFromArray = (delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)table[8];
        Run = (delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)table[9];
        CreateSessionOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[10];
        EnableProfiling = (delegate* unmanaged<IntPtr, void*, IntPtr>)table[14];
        EnableMemPattern = (delegate* unmanaged<IntPtr, IntPtr>)table[16];
        DisableMemPattern = (delegate* unmanaged<IntPtr, IntPtr>)table[17];
        EnableCpuMemArena = (delegate* unmanaged<IntPtr, IntPtr>)table[18];
        DisableCpuMemArena = (delegate* unmanaged<IntPtr, IntPtr>)table[19];
        SetSessionLogId = (delegate* unmanaged<IntPtr, byte*, IntPtr>)table[20];
        SetSessionLogVerbosityLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)table[21];
        SetSessionLogSeverityLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)table[22];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)table[23];
        SetIntraOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)table[24];
        SetInterOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)table[25];
        SessionGetInputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[30];
        SessionGetOutputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[31];
        SessionGetInputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)table[33];
        SessionGetOutputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)table[34];
        SessionGetInputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)table[36];
        SessionGetOutputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)table[37];
        CreateRunOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[39];
        RunOptionsSetTerminate = (delegate* unmanaged<IntPtr, IntPtr>)table[46];
        RunOptionsUnsetTerminate = (delegate* unmanaged<IntPtr, IntPtr>)table[47];
        CreateTensorAsOrtValue = (delegate* unmanaged<IntPtr, long*, nuint, TensorElementType, IntPtr*, IntPtr>)table[48];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, TensorElementType, IntPtr*, IntPtr>)table[49];
        GetTensorMutableData = (delegate* unmanaged<IntPtr, void**, IntPtr>)table[51];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)table[55];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged<IntPtr, int*, IntPtr>)table[56];
        GetTensorElementType = (delegate* unmanaged<IntPtr, TensorElementType*, IntPtr>)table[60];
        GetDimensionsCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[61];
        GetDimensions = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)table[62];
        GetSymbolicDimensions = (delegate* unmanaged<IntPtr, byte**, nuint, IntPtr>)table[63];
        GetTensorTypeAndShape = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)table[65];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, IntPtr*, IntPtr>)table[69];
        AllocatorFree = (delegate* unmanaged<IntPtr, void*, IntPtr>)table[76];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[78];
        ReleaseEnv = (delegate* unmanaged<IntPtr, void>)table[92];
        ReleaseStatus = (delegate* unmanaged<IntPtr, void>)table[93];
        ReleaseMemoryInfo = (delegate* unmanaged<IntPtr, void>)table[94];
        ReleaseSession = (delegate* unmanaged<IntPtr, void>)table[95];
        ReleaseValue = (delegate* unmanaged<IntPtr, void>)table[96];
        ReleaseRunOptions = (delegate* unmanaged<IntPtr, void>)table[97];
        ReleaseTypeInfo = (delegate* unmanaged<IntPtr, void>)table[98];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<IntPtr, void>)table[99];
        ReleaseSessionOptions = (delegate* unmanaged<IntPtr, void>)table[100];
        GetAvailableProviders = (delegate* unmanaged<byte***, int*, IntPtr>)table[125];
        ReleaseAvailableProviders = (delegate* unmanaged<byte**, int, IntPtr>)table[126];
        AddSessionConfigEntry = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)table[130];
        AddRunConfigEntry = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)table[165];
        SessionOptionsAppendExecutionProviderCudaV2 = (delegate* unmanaged<IntPtr, IntPtr, IntPtr>)table[204];
        CreateCudaProviderOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[205];
        UpdateCudaProviderOptions = (delegate* unmanaged<IntPtr, byte**, byte**, nuint, IntPtr>)table[206];
        ReleaseCudaProviderOptions = (delegate* unmanaged<IntPtr, void>)table[208];
        SessionOptionsAppendExecutionProvider = (delegate* unmanaged<IntPtr, byte*, byte**, byte**, nuint, IntPtr>)table[216];
        RegisterCustomOpsLibraryV2 = (delegate* unmanaged<IntPtr, void*, IntPtr>)table[228];
        GetBuildInfoString = (delegate* unmanaged<byte*>)table[254];
        GetTensorSizeInBytes = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[318];
    }

    /// <summary>The one status check: frees a failed status and throws <see cref="OnnxRuntimeException"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfFailed(IntPtr status, string call)
    {
        if (status != IntPtr.Zero)
        {
            ThrowStatus(status, call);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStatus(IntPtr status, string call)
    {
        OrtErrorCode code;
        string message;
        try
        {
            code = GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((IntPtr)GetErrorMessage(status)) ?? string.Empty;
        }
        finally
        {
            ReleaseStatus(status);
        }

        throw new OnnxRuntimeException(code, call, message);
    }

    /// <summary>UTF-8, zero-terminated; for the few strings passed at load time (not on the hot path).</summary>
    internal static byte[] Utf8Z(string value)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(value) + 1];
        System.Text.Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>A path as <c>ORTCHAR_T*</c> wants it: UTF-16 on Windows, UTF-8 elsewhere; zero-terminated.</summary>
    internal static byte[] PathZ(string path) =>
        OperatingSystem.IsWindows()
            ? System.Text.Encoding.Unicode.GetBytes(path + "\0")
            : Utf8Z(path);
}
