namespace AkashML.Inference.Native;

/// <summary>Owns an <c>OrtSession</c>; released with <c>ReleaseSession</c>.</summary>
internal sealed class OrtSessionHandle : OrtSafeHandle
{
    internal OrtSessionHandle(IntPtr handle)
        : base(handle)
    {
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtApi.ReleaseSession(handle);
        return true;
    }
}
