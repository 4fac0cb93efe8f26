namespace AkashML.Bench.Engine;

/// <summary>Median memory bandwidths in bytes per second, the buffer size used and the last-level cache it exceeds.</summary>
public sealed record MemoryBandwidthResult(double CopyBytesPerSecond, double ReadBytesPerSecond, long BufferBytes, long? LastLevelCacheBytes);
