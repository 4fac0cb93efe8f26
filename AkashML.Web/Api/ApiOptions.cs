using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Api;

/// <summary>Settings of the public APIs (<c>Api</c> section).</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest accepted request body; bigger ones get 413. Claude Code sends about 50 KB.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;
}
