namespace AkashML.Inference.Native;

/// <summary>Owns an <c>OrtRunOptions</c>; released with <c>ReleaseRunOptions</c>.</summary>
internal sealed class OrtRunOptionsHandle : OrtSafeHandle
{
    internal OrtRunOptionsHandle(IntPtr handle)
        : base(handle)
    {
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtApi.ReleaseRunOptions(handle);
        return true;
    }
}
