using System.Runtime.InteropServices;

namespace AkashML.Inference.Native;

/// <summary>Key/value strings as two native <c>const char* const*</c> arrays (UTF-8), freed on dispose.</summary>
internal sealed unsafe class NativeStringPairs : IDisposable
{
    private readonly IntPtr[] _allocations;

    internal NativeStringPairs(IReadOnlyDictionary<string, string> pairs)
    {
        Count = pairs.Count;
        _allocations = new IntPtr[(2 * Count) + 2];
        Keys = (byte**)NativeMemory.AllocZeroed((nuint)Math.Max(1, Count), (nuint)sizeof(IntPtr));
        Values = (byte**)NativeMemory.AllocZeroed((nuint)Math.Max(1, Count), (nuint)sizeof(IntPtr));
        _allocations[0] = (IntPtr)Keys;
        _allocations[1] = (IntPtr)Values;
        var i = 0;
        foreach (var (key, value) in pairs)
        {
            var k = Marshal.StringToCoTaskMemUTF8(key);
            var v = Marshal.StringToCoTaskMemUTF8(value);
            _allocations[2 + (2 * i)] = k;
            _allocations[3 + (2 * i)] = v;
            Keys[i] = (byte*)k;
            Values[i] = (byte*)v;
            i++;
        }
    }

    internal int Count { get; }

    internal byte** Keys { get; }

    internal byte** Values { get; }

    public void Dispose()
    {
        NativeMemory.Free((void*)_allocations[0]);
        NativeMemory.Free((void*)_allocations[1]);
        for (var i = 2; i < _allocations.Length; i++)
        {
            Marshal.FreeCoTaskMem(_allocations[i]);
        }
    }
}
