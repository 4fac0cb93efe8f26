using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Nodes;

/// <summary>
/// Checks the <c>Authorization: Bearer</c> secret of a node request against <c>Nodes:SharedSecret</c> in constant
/// time: both sides are hashed first, so neither content nor length shows in the timing.
/// </summary>
public sealed class NodeSecret(IOptions<NodeOptions> options)
{
    public const string Scheme = "Bearer ";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.SharedSecret ?? ""));
    private readonly bool _configured = !string.IsNullOrEmpty(options.Value.SharedSecret);

    public bool Accepts(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (!_configured || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
