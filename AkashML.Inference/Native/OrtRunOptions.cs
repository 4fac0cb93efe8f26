namespace AkashML.Inference.Native;

/// <summary>An <c>OrtRunOptions</c>: config entries and the terminate flag that cancels a running <c>Run</c>.</summary>
internal sealed unsafe class OrtRunOptions : IDisposable
{
    private readonly OrtRunOptionsHandle _handle;

    internal OrtRunOptions()
    {
        OnnxRuntimeLibrary.EnsureAvailable();
        IntPtr options;
        OrtApi.ThrowIfFailed(OrtApi.CreateRunOptions(&options), "CreateRunOptions");
        _handle = new OrtRunOptionsHandle(options);
    }

    internal OrtRunOptionsHandle Handle => _handle;

    internal void AddConfigEntry(string key, string value)
    {
        fixed (byte* k = OrtApi.Utf8Z(key))
        fixed (byte* v = OrtApi.Utf8Z(value))
        {
            OrtApi.ThrowIfFailed(OrtApi.AddRunConfigEntry(_handle.DangerousGetHandle(), k, v), "AddRunConfigEntry");
        }

        GC.KeepAlive(this);
    }

    /// <summary>Makes the current and any later <c>Run</c> with these options stop with ORT_FAIL, until <see cref="UnsetTerminate"/>.</summary>
    internal void SetTerminate()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        OrtApi.ThrowIfFailed(OrtApi.RunOptionsSetTerminate(_handle.DangerousGetHandle()), "RunOptionsSetTerminate");
        GC.KeepAlive(this);
    }

    internal void UnsetTerminate()
    {
        OrtApi.ThrowIfFailed(OrtApi.RunOptionsUnsetTerminate(_handle.DangerousGetHandle()), "RunOptionsUnsetTerminate");
        GC.KeepAlive(this);
    }

    public void Dispose() => _handle.Dispose();
}
