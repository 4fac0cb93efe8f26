namespace AkashML.Inference.Native;

/// <summary>Owns an <c>OrtEnv</c>; released with <c>ReleaseEnv</c>.</summary>
internal sealed class OrtEnvHandle : OrtSafeHandle
{
    internal OrtEnvHandle(IntPtr handle)
        : base(handle)
    {
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtApi.ReleaseEnv(handle);
        return true;
    }
}
