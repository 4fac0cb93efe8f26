namespace AkashML.Web.Telemetry;

/// <summary>Who may read <c>GET /metrics</c>; everyone else gets the same 404 as an unknown path.</summary>
public enum MetricsAccess
{
    /// <summary>Not served at all.</summary>
    Off,

    /// <summary>Only signed-in administrators (the dashboard's cookie).</summary>
    Admins,

    /// <summary>Anyone who reaches the host: for a scraper on a private network, never on a public address.</summary>
    Anyone,
}
