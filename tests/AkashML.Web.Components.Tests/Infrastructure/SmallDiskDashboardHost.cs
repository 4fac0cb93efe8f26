namespace AkashML.Web.Components.Tests.Infrastructure;

/// <summary>
/// A <see cref="DashboardHost"/> on a small disk: its SQLite file cannot grow past <see cref="MaxPages"/> pages, so a test
/// can fill it (<see cref="FilledDisk"/>) and have the host's writes refused as on a full disk.
/// </summary>
public sealed class SmallDiskDashboardHost() : DashboardHost(MaxPages)
{
    /// <summary>16 MiB of 4 KiB pages: room for the host's start, filled on purpose by the tests.</summary>
    public const int MaxPages = 4096;
}
