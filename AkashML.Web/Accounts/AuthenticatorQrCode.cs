using QRCoder;

namespace AkashML.Web.Accounts;

/// <summary>
/// The <c>otpauth://</c> URI an authenticator app scans, as a PNG data URI rendered on the server (no script, no
/// third-party image service that would see the secret).
/// </summary>
public static class AuthenticatorQrCode
{
    /// <summary>The issuer shown in authenticator apps.</summary>
    public const string Issuer = "AkashML";

    public static string Uri(string accountName, string sharedKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        ArgumentException.ThrowIfNullOrEmpty(sharedKey);
        var issuer = System.Uri.EscapeDataString(Issuer);
        return $"otpauth://totp/{issuer}:{System.Uri.EscapeDataString(accountName)}?secret={sharedKey}&issuer={issuer}&digits=6";
    }

    /// <summary>A PNG (<c>data:image/png;base64,…</c>) of <paramref name="text"/>, with quartile error correction.</summary>
    public static string PngDataUri(string text, int pixelsPerModule = 6)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.Q);
        var png = new PngByteQRCode(data).GetGraphic(pixelsPerModule);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
