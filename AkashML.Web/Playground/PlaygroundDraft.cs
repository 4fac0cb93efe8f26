namespace AkashML.Web.Playground;

/// <summary>What the playground keeps in browser storage so a reload or a visit elsewhere loses nothing.</summary>
public sealed class PlaygroundDraft
{
    /// <summary>Bumped when the shape changes incompatibly; an older draft is then ignored.</summary>
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public PlaygroundSettings Settings { get; set; } = new();

    public List<PlaygroundTurn> Turns { get; set; } = [];
}
