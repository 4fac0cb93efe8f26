using System.Text.RegularExpressions;
using AkashML.Inference.Tokenizers;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tests.Tokenizers;

public sealed class OnigurumaPatternTests
{
    [Theory]
    [InlineData(@"a*+b", "aaab", "aaab")]
    [InlineData(@"\h+", "zz0fAx", "0fA")]
    [InlineData(@"\p{Han}+", "ab漢字cd", "漢字")]
    [InlineData(@"(?i:'S|'t)", "IT'S", "'S")]
    [InlineData(@"[[:alpha:]]+", "12abc", "abc")]
    [InlineData(@"\x{41}\x{1F917}", "xA🤗", "A🤗")]
    [InlineData(@"\p{^L}+", "ab12", "12")]
    public void Translated_patterns_match_like_oniguruma(string pattern, string input, string expected)
    {
        var match = Regex.Match(input, OnigurumaPattern.Translate(pattern), RegexOptions.CultureInvariant);
        Assert.True(match.Success);
        Assert.Equal(expected, match.Value);
    }

    [Fact]
    public void Supplementary_letters_count_as_letters()
    {
        var regex = TokenizerRegex.FromOniguruma(@" ?\p{L}+| ?[^\s\p{L}\p{N}]+");
        var matches = new List<(int Start, int Length)>();
        regex.FindMatches("a𝔘𝔫 🤗", matches);
        Assert.Equal([(0, 5), (5, 3)], matches);
    }

    [Theory]
    [InlineData(@"a\Kb")]
    [InlineData(@"[a[b]]")]
    [InlineData(@"(ab")]
    [InlineData(@"\p{NoSuchProperty}")]
    [InlineData(@"[a-z&&[^aeiou]]")]
    public void Unsupported_constructs_are_reported_clearly(string pattern)
    {
        var ex = Assert.Throws<TokenizerFormatException>(() => TokenizerRegex.FromOniguruma(pattern));
        Assert.Contains(pattern, ex.Message, StringComparison.Ordinal);
    }
}
