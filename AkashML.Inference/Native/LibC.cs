using System.Runtime.InteropServices;

namespace AkashML.Inference.Native;

/// <summary>The C library calls the ORT layer needs besides ORT's own API (Linux and macOS).</summary>
internal static partial class LibC
{
    private const string Library = "libc";

    // int setenv(const char* name, const char* value, int overwrite): 0 on success, -1 with errno set.
    // Environment.SetEnvironmentVariable only changes .NET's own copy on Unix; native code reads the C environment.
    [LibraryImport(Library, EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int SetEnv(string name, string value, int overwrite);
}
