using System.Security.Cryptography;
using System.Text;
using AkashML.Data;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Keys;

/// <summary>HMAC-SHA256 of key secrets with the server's pepper; the database only ever sees the hash.</summary>
public sealed class ApiKeyHasher
{
    /// <summary>The generated pepper's file in the data directory, when none is configured.</summary>
    public const string PepperFile = "key-pepper";

    private readonly byte[] _pepper;

    public ApiKeyHasher(IOptions<ApiKeyOptions> options, IOptions<AkashMLOptions> host)
    {
        _pepper = options.Value.Pepper is { Length: > 0 } configured
            ? Encoding.UTF8.GetBytes(configured)
            : LoadOrCreatePepper(Path.Combine(Path.GetFullPath(host.Value.DataDirectory), PepperFile));
    }

    public string Hash(string secret)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_pepper, Encoding.UTF8.GetBytes(secret), mac);
        return Convert.ToHexStringLower(mac);
    }

    private static byte[] LoadOrCreatePepper(string path)
    {
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pepper = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(pepper));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException)
        {
            // Another process created it first: use theirs so every hash agrees.
            File.Delete(temp);
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        return pepper;
    }
}
