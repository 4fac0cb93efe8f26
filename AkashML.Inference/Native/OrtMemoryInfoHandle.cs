namespace AkashML.Inference.Native;

/// <summary>Owns an <c>OrtMemoryInfo</c>; released with <c>ReleaseMemoryInfo</c>.</summary>
internal sealed class OrtMemoryInfoHandle : OrtSafeHandle
{
    internal OrtMemoryInfoHandle(IntPtr handle)
        : base(handle)
    {
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtApi.ReleaseMemoryInfo(handle);
        return true;
    }
}
