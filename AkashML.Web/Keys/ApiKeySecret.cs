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

    /// <summary>Presented values longer than this are refused without any work (hashing included).</summary>
    public const int MaxPresentedLength = 256;

    /// <summary>
    /// A cheap shape check before any database work. The length is public, so it may return at once; the characters are
    /// all examined whatever they are, so timing does not tell a wrong prefix from a wrong body.
    /// </summary>
    public static bool HasValidShape(ReadOnlySpan<char> secret)
    {
        if (secret.Length != Length)
        {
            return false;
        }

        var bad = 0;
        for (var i = 0; i < Prefix.Length; i++)
        {
            bad |= secret[i] ^ Prefix[i];
        }

        foreach (var c in secret[Prefix.Length..])
        {
            bad |= char.IsAsciiLetterOrDigit(c) ? 0 : 1;
        }

        return bad == 0;
    }
}
