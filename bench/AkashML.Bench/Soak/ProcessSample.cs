using System.Diagnostics;

namespace AkashML.Bench.Soak;

/// <summary>What this process holds at one moment: managed heap (after a full collection), resident memory, threads, open files.</summary>
public sealed record ProcessSample(long ManagedBytes, long ResidentBytes, int Threads, int Files)
{
    public static ProcessSample Take()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return new ProcessSample(managed, process.WorkingSet64, process.Threads.Count, Directory.GetFileSystemEntries("/proc/self/fd").Length);
    }
}
