using System.Runtime.InteropServices;

namespace AkashML.Inference.Native;

/// <summary>Base of every owned ORT object: invalid when null, released once through its ORT release function.</summary>
internal abstract class OrtSafeHandle : SafeHandle
{
    protected OrtSafeHandle(IntPtr handle)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;
}
