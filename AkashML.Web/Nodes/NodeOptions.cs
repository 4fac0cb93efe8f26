namespace AkashML.Web.Nodes;

/// <summary>The internal node protocol between a gateway and inference nodes (section <c>Nodes</c>).</summary>
public sealed class NodeOptions
{
    public const string SectionName = "Nodes";

    /// <summary>The fewest characters a shared secret may have.</summary>
    public const int MinimumSecretLength = 16;

    /// <summary>
    /// The secret gateways send to nodes (<c>Authorization: Bearer</c>). Required for the inference role; a process
    /// without one refuses every node request.
    /// </summary>
    public string SharedSecret { get; set; } = "";
}
