using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AkashML.Billing.Stripe;

/// <summary>
/// Verifies the <c>Stripe-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.payload"&gt;</c>
/// (several <c>v1</c> values during secret rotation), with a limit on the timestamp's age against replays.
/// </summary>
public static class StripeSignature
{
    public static SignatureCheck Verify(string payload, string? header, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrWhiteSpace(header))
        {
            return SignatureCheck.Missing;
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = part[..equals];
            var value = part[(equals + 1)..];
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key == "v1" && value.Length == 64)
            {
                try
                {
                    signatures.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                    // A malformed candidate cannot match; the others may.
                }
            }
        }

        if (timestamp is null || signatures.Count == 0)
        {
            return SignatureCheck.Malformed;
        }

        var expected = Compute(secret, timestamp.Value, payload);
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected)))
        {
            return SignatureCheck.Mismatch;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp.Value);
        return age.Duration() > tolerance ? SignatureCheck.OutsideTolerance : SignatureCheck.Valid;
    }

    private static byte[] Compute(string secret, long timestamp, string payload) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + payload));
}

public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,
    Mismatch,
    OutsideTolerance,
}
