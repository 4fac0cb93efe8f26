namespace AkashML.Web.Nodes;

/// <summary><c>GET /internal/v1/health</c>: what a node serves and how busy it is.</summary>
/// <param name="Models">Every model the node's catalog lists.</param>
/// <param name="Loaded">Models loaded now.</param>
/// <param name="InFlight">Generations running now.</param>
/// <param name="Cancelled">Generations its callers abandoned since start.</param>
public sealed record NodeHealth(string Status, IReadOnlyList<string> Models, IReadOnlyList<string> Loaded, int InFlight, long Cancelled);
