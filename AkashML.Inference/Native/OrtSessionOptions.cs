namespace AkashML.Inference.Native;

/// <summary>Builds an <c>OrtSessionOptions</c>: threads, logging, optimisation level, config entries, execution provider.</summary>
internal sealed unsafe class OrtSessionOptions : IDisposable
{
    private readonly OrtSessionOptionsHandle _handle;

    internal OrtSessionOptions()
    {
        OnnxRuntimeLibrary.EnsureAvailable();
        IntPtr options;
        OrtApi.ThrowIfFailed(OrtApi.CreateSessionOptions(&options), "CreateSessionOptions");
        _handle = new OrtSessionOptionsHandle(options);
    }

    internal OrtSessionOptionsHandle Handle => _handle;

    private IntPtr Ptr => _handle.DangerousGetHandle();

    internal void SetIntraOpThreads(int count)
    {
        OrtApi.ThrowIfFailed(OrtApi.SetIntraOpNumThreads(Ptr, count), "SetIntraOpNumThreads");
        GC.KeepAlive(this);
    }

    internal void SetInterOpThreads(int count)
    {
        OrtApi.ThrowIfFailed(OrtApi.SetInterOpNumThreads(Ptr, count), "SetInterOpNumThreads");
        GC.KeepAlive(this);
    }

    /// <summary>0 disable all, 1 basic, 2 extended, 3 layout, 99 all.</summary>
    internal void SetGraphOptimizationLevel(int level)
    {
        OrtApi.ThrowIfFailed(OrtApi.SetSessionGraphOptimizationLevel(Ptr, level), "SetSessionGraphOptimizationLevel");
        GC.KeepAlive(this);
    }

    internal void SetLogSeverityLevel(int level)
    {
        OrtApi.ThrowIfFailed(OrtApi.SetSessionLogSeverityLevel(Ptr, level), "SetSessionLogSeverityLevel");
        GC.KeepAlive(this);
    }

    internal void SetLogVerbosityLevel(int level)
    {
        OrtApi.ThrowIfFailed(OrtApi.SetSessionLogVerbosityLevel(Ptr, level), "SetSessionLogVerbosityLevel");
        GC.KeepAlive(this);
    }

    internal void SetLogId(string logId)
    {
        fixed (byte* id = OrtApi.Utf8Z(logId))
        {
            OrtApi.ThrowIfFailed(OrtApi.SetSessionLogId(Ptr, id), "SetSessionLogId");
        }

        GC.KeepAlive(this);
    }

    internal void SetCpuMemArena(bool enabled)
    {
        OrtApi.ThrowIfFailed(
            enabled ? OrtApi.EnableCpuMemArena(Ptr) : OrtApi.DisableCpuMemArena(Ptr),
            enabled ? "EnableCpuMemArena" : "DisableCpuMemArena");
        GC.KeepAlive(this);
    }

    internal void SetMemPattern(bool enabled)
    {
        OrtApi.ThrowIfFailed(
            enabled ? OrtApi.EnableMemPattern(Ptr) : OrtApi.DisableMemPattern(Ptr),
            enabled ? "EnableMemPattern" : "DisableMemPattern");
        GC.KeepAlive(this);
    }

    internal void EnableProfiling(string filePrefix)
    {
        fixed (byte* prefix = OrtApi.PathZ(filePrefix))
        {
            OrtApi.ThrowIfFailed(OrtApi.EnableProfiling(Ptr, prefix), "EnableProfiling");
        }

        GC.KeepAlive(this);
    }

    internal void RegisterCustomOpsLibrary(string path)
    {
        fixed (byte* library = OrtApi.PathZ(path))
        {
            OrtApi.ThrowIfFailed(OrtApi.RegisterCustomOpsLibraryV2(Ptr, library), "RegisterCustomOpsLibrary_V2");
        }

        GC.KeepAlive(this);
    }

    internal void AddConfigEntry(string key, string value)
    {
        fixed (byte* k = OrtApi.Utf8Z(key))
        fixed (byte* v = OrtApi.Utf8Z(value))
        {
            OrtApi.ThrowIfFailed(OrtApi.AddSessionConfigEntry(Ptr, k, v), "AddSessionConfigEntry");
        }

        GC.KeepAlive(this);
    }

    /// <summary>
    /// Appends CUDA (through the CUDA V2 options) or another provider by its ORT short name (e.g. "DML").
    /// Callers check <see cref="OnnxRuntimeLibrary.AvailableProviders"/> first so a missing provider gets a clear message.
    /// </summary>
    internal void AppendExecutionProvider(ExecutionProvider provider, IReadOnlyDictionary<string, string> options)
    {
        switch (provider)
        {
            case ExecutionProvider.Cpu:
                return;
            case ExecutionProvider.Cuda:
                AppendCuda(options);
                return;
            case ExecutionProvider.DirectML:
                AppendGeneric("DML", options);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown execution provider.");
        }
    }

    private void AppendCuda(IReadOnlyDictionary<string, string> options)
    {
        IntPtr cudaOptions;
        OrtApi.ThrowIfFailed(OrtApi.CreateCudaProviderOptions(&cudaOptions), "CreateCUDAProviderOptions");
        try
        {
            using var pairs = new NativeStringPairs(options);
            OrtApi.ThrowIfFailed(
                OrtApi.UpdateCudaProviderOptions(cudaOptions, pairs.Keys, pairs.Values, (nuint)pairs.Count),
                "UpdateCUDAProviderOptions");
            OrtApi.ThrowIfFailed(
                OrtApi.SessionOptionsAppendExecutionProviderCudaV2(Ptr, cudaOptions),
                "SessionOptionsAppendExecutionProvider_CUDA_V2");
        }
        finally
        {
            OrtApi.ReleaseCudaProviderOptions(cudaOptions);
        }

        GC.KeepAlive(this);
    }

    private void AppendGeneric(string name, IReadOnlyDictionary<string, string> options)
    {
        using var pairs = new NativeStringPairs(options);
        fixed (byte* providerName = OrtApi.Utf8Z(name))
        {
            OrtApi.ThrowIfFailed(
                OrtApi.SessionOptionsAppendExecutionProvider(Ptr, providerName, pairs.Keys, pairs.Values, (nuint)pairs.Count),
                "SessionOptionsAppendExecutionProvider");
        }

        GC.KeepAlive(this);
    }

    public void Dispose() => _handle.Dispose();
}
