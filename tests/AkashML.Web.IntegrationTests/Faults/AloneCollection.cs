namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// Tests that measure the whole process (memory, threads, open files, every meter of a name) and so must not share it
/// with other tests: xunit
/// runs this collection by itself, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Runs alone";
}
