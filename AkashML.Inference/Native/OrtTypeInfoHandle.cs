namespace AkashML.Inference.Native;

/// <summary>Owns an <c>OrtTypeInfo</c>; released with <c>ReleaseTypeInfo</c>.</summary>
internal sealed class OrtTypeInfoHandle : OrtSafeHandle
{
    internal OrtTypeInfoHandle(IntPtr handle)
        : base(handle)
    {
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtApi.ReleaseTypeInfo(handle);
        return true;
    }
}
