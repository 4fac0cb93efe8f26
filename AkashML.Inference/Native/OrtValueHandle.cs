namespace AkashML.Inference.Native;

/// <summary>Owns an <c>OrtValue</c>; released with <c>ReleaseValue</c>.</summary>
internal sealed class OrtValueHandle : OrtSafeHandle
{
    internal OrtValueHandle(IntPtr handle)
        : base(handle)
    {
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtApi.ReleaseValue(handle);
        return true;
    }
}
