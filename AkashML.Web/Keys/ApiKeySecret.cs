using System.Security.Cryptography;

namespace AkashML.Web.Keys;

/// <summary>The shape of a key secret: <c>akml-</c> followed by 43 base62 characters (256 bits from the CSPRNG).</summary>
public static class ApiKeySecret
{
    public const string Prefix = "akml-";
    public const int RandomLength = 43;
    public const int Length = 48;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Generate()
    {
        // Rejection sampling keeps every character uniform over the 62 symbols.
        Span<char> chars = stackalloc char[RandomLength];
        Span<byte> buffer = stackalloc byte[64];
        var filled = 0;
        while (filled < RandomLength)
        {
            RandomNumberGenerator.Fill(buffer);
            foreach (var b in buffer)
            {
                if (b < 248 && filled < RandomLength)
                {
                    chars[filled++] = Alphabet[b % 62];
                }
            }
        }

        return Prefix + new string(chars);
    }

    /// <summary>A cheap shape check before any hashing or database work.</summary>
    public static bool HasValidShape(ReadOnlySpan<char> secret)
    {
        if (secret.Length != Length || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in secret[Prefix.Length..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
