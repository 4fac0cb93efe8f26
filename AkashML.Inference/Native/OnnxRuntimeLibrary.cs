using System.Runtime.InteropServices;

namespace AkashML.Inference.Native;

/// <summary>
/// Loads the ONNX Runtime native library once, explicitly, and publishes whether it is usable.
/// Search order: the configured path (a file or a folder); otherwise the library the NuGet package
/// <c>Microsoft.ML.OnnxRuntime</c> (or <c>.Gpu.Linux</c>) placed beside the application (<c>runtimes/&lt;rid&gt;/native/</c>,
/// or the application folder after a RID-specific publish), then the app's native probing paths and the system search.
/// The probe never throws: callers read <see cref="IsSupported"/> / <see cref="NotSupportedReason"/> (health, dashboard),
/// and anything that needs ORT calls <see cref="EnsureAvailable"/>, which throws <see cref="OnnxRuntimeUnavailableException"/>.
/// </summary>
public static unsafe class OnnxRuntimeLibrary
{
    /// <summary>The shared library's file name on this platform.</summary>
    public static readonly string LibraryFileName =
        OperatingSystem.IsWindows() ? "onnxruntime.dll"
        : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib"
        : "libonnxruntime.so";

    /// <summary>Older and hand-made Linux builds (the npm package, a source build's install tree) name the file with its ABI version.</summary>
    private const string VersionedLinuxFileName = "libonnxruntime.so.1";

    private static readonly Lock Gate = new();
    private static string? _configuredPath;
    private static bool _telemetry;
    private static bool _probed;
    private static string? _notSupportedReason;
    private static string? _version;
    private static string? _loadedFrom;
    private static string? _buildInfo;
    private static string[] _providers = [];
    private static OrtEnvHandle? _env;
    private static OrtMemoryInfoHandle? _cpuMemoryInfo;
    private static IntPtr _allocator;

    /// <summary>
    /// Chooses the library before first use (e.g. a CUDA build): a path to the file or to its folder; null or empty keeps
    /// the NuGet-provided one. <paramref name="enableTelemetry"/> lets ORT record its telemetry events (off by default:
    /// ORT 1.32 otherwise keeps an event store under the user's home). Once loaded, the choice is fixed for the process;
    /// configuring the same library again (by any path that names the loaded file) is accepted.
    /// </summary>
    public static void Configure(string? libraryPath, bool enableTelemetry = false)
    {
        var path = string.IsNullOrWhiteSpace(libraryPath) ? null : libraryPath;
        lock (Gate)
        {
            if (_probed)
            {
                if (!NamesLoadedLibrary(path) || enableTelemetry != _telemetry)
                {
                    throw new InvalidOperationException(
                        $"ONNX Runtime is already loaded from '{_loadedFrom ?? "(nowhere)"}' (telemetry {(_telemetry ? "on" : "off")}); " +
                        "the library path and telemetry can only be set before first use.");
                }

                return;
            }

            _configuredPath = path;
            _telemetry = enableTelemetry;
        }
    }

    /// <summary>Whether ORT's telemetry events are enabled (an operator's choice; off by default).</summary>
    public static bool TelemetryEnabled
    {
        get
        {
            EnsureProbed();
            return _telemetry;
        }
    }

    /// <summary>True when the library loaded and serves API version <see cref="OrtApi.ApiVersion"/>.</summary>
    public static bool IsSupported
    {
        get
        {
            EnsureProbed();
            return _notSupportedReason is null;
        }
    }

    /// <summary>Why ORT cannot be used, or null when it can.</summary>
    public static string? NotSupportedReason
    {
        get
        {
            EnsureProbed();
            return _notSupportedReason;
        }
    }

    /// <summary>ORT's version string (e.g. "1.30.0"), or null when not loaded.</summary>
    public static string? Version
    {
        get
        {
            EnsureProbed();
            return _version;
        }
    }

    /// <summary>Where the library was loaded from (a path, or the bare name when the system search found it).</summary>
    public static string? LoadedFrom
    {
        get
        {
            EnsureProbed();
            return _loadedFrom;
        }
    }

    /// <summary>ORT's build description (git commit, build flags).</summary>
    public static string? BuildInfo
    {
        get
        {
            EnsureProbed();
            return _buildInfo;
        }
    }

    /// <summary>Execution providers compiled into the loaded library, e.g. "CPUExecutionProvider".</summary>
    public static IReadOnlyList<string> AvailableProviders
    {
        get
        {
            EnsureProbed();
            return _providers;
        }
    }

    /// <summary>Throws <see cref="OnnxRuntimeUnavailableException"/> unless ORT is usable.</summary>
    public static void EnsureAvailable()
    {
        EnsureProbed();
        if (_notSupportedReason is not null)
        {
            throw new OnnxRuntimeUnavailableException(_notSupportedReason);
        }
    }

    internal static IntPtr Env
    {
        get
        {
            EnsureAvailable();
            return _env!.DangerousGetHandle();
        }
    }

    /// <summary>ORT's default CPU allocator (borrowed, never released).</summary>
    internal static IntPtr Allocator
    {
        get
        {
            EnsureAvailable();
            return _allocator;
        }
    }

    internal static IntPtr CpuMemoryInfo
    {
        get
        {
            EnsureAvailable();
            return _cpuMemoryInfo!.DangerousGetHandle();
        }
    }

    private static void EnsureProbed()
    {
        if (Volatile.Read(ref _probed))
        {
            return;
        }

        lock (Gate)
        {
            if (_probed)
            {
                return;
            }

            try
            {
                _notSupportedReason = Probe();
            }
#pragma warning disable CA1031 // The probe reports every failure as a reason instead of crashing the host.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _notSupportedReason = $"ONNX Runtime could not be initialised: {ex.Message}";
            }

            Volatile.Write(ref _probed, true);
        }
    }

    private static string? Probe()
    {
        if (!_telemetry)
        {
            DisableTelemetryStore();
        }

        var tried = new List<string>();
        IntPtr library = IntPtr.Zero;
        foreach (var candidate in Candidates())
        {
            tried.Add(candidate);
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out library))
            {
                _loadedFrom = candidate;
                break;
            }
        }

        // Last, the runtime's own native probing (deps.json paths of the package, then the system search).
        if (library == IntPtr.Zero && _configuredPath is null)
        {
            tried.Add("onnxruntime (native probing)");
            if (NativeLibrary.TryLoad("onnxruntime", typeof(OnnxRuntimeLibrary).Assembly, null, out library))
            {
                _loadedFrom = "onnxruntime (native probing)";
            }
        }

        if (library == IntPtr.Zero)
        {
            return $"The ONNX Runtime library '{LibraryFileName}' could not be loaded (tried: {string.Join(", ", tried)}). " +
                   "It comes with the Microsoft.ML.OnnxRuntime NuGet package: rebuild, or set Inference:OnnxRuntimePath.";
        }

        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBaseExport))
        {
            return $"'{_loadedFrom}' is not an ONNX Runtime library: it does not export OrtGetApiBase.";
        }

        // OrtApiBase is { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }.
        var apiBase = ((delegate* unmanaged<IntPtr*>)getApiBaseExport)();
        if (apiBase == null)
        {
            return $"'{_loadedFrom}': OrtGetApiBase returned null.";
        }

        var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
        _version = Marshal.PtrToStringUTF8((IntPtr)getVersion());
        var getApi = (delegate* unmanaged<uint, IntPtr*>)apiBase[0];
        var table = getApi(OrtApi.ApiVersion);
        if (table == null)
        {
            return $"ONNX Runtime {_version} at '{_loadedFrom}' does not serve C API version {OrtApi.ApiVersion}; version 1.{OrtApi.ApiVersion}.0 or newer is required.";
        }

        OrtApi.Bind(table);
        _buildInfo = Marshal.PtrToStringUTF8((IntPtr)OrtApi.GetBuildInfoString());

        IntPtr env;
        fixed (byte* logId = OrtApi.Utf8Z("akashml"))
        {
            // 3 = ORT_LOGGING_LEVEL_ERROR: warnings about graph partitioning are noise for a server log.
            OrtApi.ThrowIfFailed(OrtApi.CreateEnv(3, logId, &env), "CreateEnv");
        }

        _env = new OrtEnvHandle(env);

        // The environment is process-wide in ORT (the official GenAI runtime in this process shares it), so this
        // decides for both.
        OrtApi.ThrowIfFailed(
            _telemetry ? OrtApi.EnableTelemetryEvents(env) : OrtApi.DisableTelemetryEvents(env),
            _telemetry ? "EnableTelemetryEvents" : "DisableTelemetryEvents");

        IntPtr allocator;
        OrtApi.ThrowIfFailed(OrtApi.GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
        _allocator = allocator;

        IntPtr memoryInfo;
        // OrtArenaAllocator = 1, OrtMemTypeDefault = 0.
        OrtApi.ThrowIfFailed(OrtApi.CreateCpuMemoryInfo(1, 0, &memoryInfo), "CreateCpuMemoryInfo");
        _cpuMemoryInfo = new OrtMemoryInfoHandle(memoryInfo);

        byte** names;
        int count;
        OrtApi.ThrowIfFailed(OrtApi.GetAvailableProviders(&names, &count), "GetAvailableProviders");
        try
        {
            var providers = new string[count];
            for (var i = 0; i < count; i++)
            {
                providers[i] = Marshal.PtrToStringUTF8((IntPtr)names[i]) ?? string.Empty;
            }

            _providers = providers;
        }
        finally
        {
            OrtApi.ThrowIfFailed(OrtApi.ReleaseAvailableProviders(names, count), "ReleaseAvailableProviders");
        }

        return null;
    }

    /// <summary>
    /// ORT 1.32 and GenAI 0.20 start their telemetry (an event store under ~/.cache/Microsoft/DeveloperTools/.onnxruntime)
    /// when the library loads, before <c>DisableTelemetryEvents</c> can be called; both skip it when the C environment has
    /// <c>ORT_DISABLE_TELEMETRY</c>. Set here, under the probe lock, before either library is loaded (the GenAI runtime is
    /// only used after this probe). An operator's own value of the variable is kept.
    /// </summary>
    private static void DisableTelemetryStore()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        if (LibC.SetEnv("ORT_DISABLE_TELEMETRY", "1", overwrite: 0) != 0)
        {
            throw new InvalidOperationException($"setenv(ORT_DISABLE_TELEMETRY) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private static bool NamesLoadedLibrary(string? path)
    {
        if (_loadedFrom is null)
        {
            return path is null && _configuredPath is null;
        }

        if (path is null)
        {
            // No choice is the library the default probing finds: the same one when an earlier choice named that file.
            return _configuredPath is null || (DefaultCandidates().FirstOrDefault(File.Exists) is { } found && SameFile(found, _loadedFrom));
        }

        return FilesFor(path).Any(file => SameFile(file, _loadedFrom));
    }

    private static bool SameFile(string a, string b)
    {
        if (!File.Exists(a) || !File.Exists(b))
        {
            return false;
        }

        static string Resolve(string file) =>
            new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(file);

        return string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);
    }

    /// <summary>The files a configured path may mean: the file itself, or the library inside that folder.</summary>
    private static IEnumerable<string> FilesFor(string path)
    {
        if (!Directory.Exists(path))
        {
            yield return path;
            yield break;
        }

        yield return Path.Combine(path, LibraryFileName);
        if (OperatingSystem.IsLinux())
        {
            yield return Path.Combine(path, VersionedLinuxFileName);
        }
    }

    private static IEnumerable<string> Candidates()
    {
        if (_configuredPath is { } configured)
        {
            foreach (var file in FilesFor(configured))
            {
                yield return file;
            }

            yield break;
        }

        foreach (var file in DefaultCandidates())
        {
            yield return file;
        }
    }

    /// <summary>Where the library is looked for when no path is configured: the package's native assets beside us.</summary>
    private static IEnumerable<string> DefaultCandidates()
    {
        var folders = new List<string> { AppContext.BaseDirectory };
        var assemblyFolder = Path.GetDirectoryName(typeof(OnnxRuntimeLibrary).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyFolder) && !folders.Contains(assemblyFolder))
        {
            folders.Add(assemblyFolder);
        }

        foreach (var folder in folders)
        {
            // A framework-dependent, RID-less build keeps the package's native assets under runtimes/<rid>/native.
            yield return Path.Combine(folder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", LibraryFileName);
            yield return Path.Combine(folder, LibraryFileName);
        }
    }
}
