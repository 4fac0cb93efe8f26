namespace AkashML.Web.Backends;

/// <summary>
/// Makes the backends of one kind (<c>local</c>, <c>openai</c>, <c>node</c>…) from their configuration entries;
/// registered in DI, one per <see cref="Kind"/>.
/// </summary>
public interface IBackendFactory
{
    /// <summary>The <c>Kind</c> value of the configuration entries this factory makes.</summary>
    string Kind { get; }

    /// <summary>What is wrong with <paramref name="entry"/> for this kind (checked at start); empty when nothing.</summary>
    IEnumerable<string> Validate(BackendEntryOptions entry);

    IBackend Create(string modelId, BackendEntryOptions entry);
}
