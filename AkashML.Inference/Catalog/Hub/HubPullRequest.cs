namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// What to pull: repository <c>owner/name</c> at <see cref="Revision"/>, optionally narrowed by an
/// <see cref="Include"/> glob (see <see cref="HubGlob"/>) to the one GenAI folder wanted.
/// </summary>
public sealed record HubPullRequest(string Repo)
{
    public string Revision { get; init; } = "main";

    public string? Include { get; init; }

    /// <summary>Model id to store it under; null: <see cref="HubModelPuller.DefaultId"/>.</summary>
    public string? Id { get; init; }

    /// <summary>Replace a model already stored under the id.</summary>
    public bool Overwrite { get; init; }
}
