using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AkashML.Web.Accounts;

/// <summary>Identity tokens travel in links as base64url; a mangled link must read as "invalid", not crash the page.</summary>
public static class AccountTokens
{
    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static bool TryDecode(string? encoded, out string token)
    {
        token = "";
        if (string.IsNullOrWhiteSpace(encoded))
        {
            return false;
        }

        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(encoded));
            return token.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
