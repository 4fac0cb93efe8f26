namespace AkashML.Web.Roles;

/// <summary>What one process of AkashML does (<c>Host:Role</c>, or <c>serve --role</c>).</summary>
public enum HostRole
{
    /// <summary>Everything in one process: dashboard, public APIs, local models and the node protocol.</summary>
    All,

    /// <summary>Dashboard and public APIs; no model is loaded here, generation goes to backends.</summary>
    Gateway,

    /// <summary>Local models behind the internal node protocol only, plus health, readiness and metrics.</summary>
    Inference,
}
