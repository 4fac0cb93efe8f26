using System.ComponentModel.DataAnnotations;

namespace AkashML.Inference.Serving;

/// <summary>
/// Settings of <c>Inference:PrefixCache</c>: how much memory each model may keep for the keys and values of recently
/// seen prompt prefixes, and how many tokens one cached block covers.
/// </summary>
public sealed class PrefixCacheOptions
{
    public const int DefaultMaxMegabytes = 256;

    public const int DefaultBlockTokens = 16;

    /// <summary>Memory per model for cached prompt blocks, in MiB; least recently used blocks go first. 0 turns caching off.</summary>
    [Range(0, 1 << 20)]
    public int MaxMegabytes { get; set; } = DefaultMaxMegabytes;

    /// <summary>
    /// Tokens per cached block: prompts share cache only in whole blocks, so smaller blocks reuse more of a prefix that
    /// ends mid-block, larger ones cost less bookkeeping per token.
    /// </summary>
    [Range(1, 4096)]
    public int BlockTokens { get; set; } = DefaultBlockTokens;

    public long MaxBytes => (long)MaxMegabytes * 1024 * 1024;
}
