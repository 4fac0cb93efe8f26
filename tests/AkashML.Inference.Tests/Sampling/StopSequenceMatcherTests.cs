using System.Text;
using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Tests.Sampling;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Stop_split_across_deltas_is_never_emitted_and_text_before_it_is_kept()
    {
        var matcher = new StopSequenceMatcher(["lo Wo"]);

        var first = matcher.Append("Hel");
        var second = matcher.Append("lo W");
        var third = matcher.Append("orld");

        // "l" could begin "lo Wo", so it waits; once "lo W" arrives the "l" before it is safe.
        Assert.Equal("He", first.Text);
        Assert.False(first.Stopped);
        Assert.Equal("l", second.Text);
        Assert.False(second.Stopped);
        Assert.Equal(string.Empty, third.Text);
        Assert.True(third.Stopped);
        Assert.Equal("lo Wo", third.StopSequence);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Holds_back_only_a_possible_stop_prefix_and_releases_it_when_the_text_diverges()
    {
        var matcher = new StopSequenceMatcher(["</answer>"]);

        Assert.Equal("The result", matcher.Append("The result</").Text);
        Assert.Equal(string.Empty, matcher.Append("ans").Text);
        Assert.Equal(string.Empty, matcher.Append("w").Text);
        Assert.Equal("</answ!", matcher.Append("!").Text);
        Assert.Equal(" tail", matcher.Append(" tail").Text);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Flush_returns_the_held_back_tail_when_generation_ends()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);

        Assert.Equal("abc", matcher.Append("abcST").Text);
        Assert.Equal("ST", matcher.Flush());
    }

    [Fact]
    public void Of_several_stops_the_earliest_wins()
    {
        var matcher = new StopSequenceMatcher(["world", "lo", "Hello there"]);

        var result = matcher.Append("Hello world");

        Assert.True(result.Stopped);
        Assert.Equal("Hel", result.Text);
        Assert.Equal("lo", result.StopSequence);
    }

    [Fact]
    public void After_a_match_further_text_is_dropped()
    {
        var matcher = new StopSequenceMatcher(["\n\n"]);

        Assert.Equal("one", matcher.Append("one\n\ntwo").Text);
        Assert.True(matcher.IsStopped);
        var later = matcher.Append("three");
        Assert.Equal(string.Empty, later.Text);
        Assert.True(later.Stopped);
    }

    [Fact]
    public void Without_stops_text_passes_straight_through()
    {
        var matcher = new StopSequenceMatcher([]);

        Assert.Equal("abc", matcher.Append("abc").Text);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Empty_stop_sequences_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new StopSequenceMatcher(["ok", string.Empty]));
    }

    [Fact]
    public void Result_does_not_depend_on_how_the_text_is_split()
    {
        string[] stops = ["abab", "bca", "cc", "xyz"];
        var random = new Random(17);
        for (var trial = 0; trial < 300; trial++)
        {
            var text = new string([.. Enumerable.Range(0, 30).Select(_ => "abcx"[random.Next(4)])]);
            var whole = Run(stops, [text]);

            var pieces = new List<string>();
            for (var at = 0; at < text.Length;)
            {
                var length = Math.Min(random.Next(0, 5), text.Length - at);
                pieces.Add(text.Substring(at, length));
                at += length;
            }

            Assert.Equal(whole, Run(stops, pieces));
            Assert.Equal(Reference(stops, text), whole);
        }
    }

    private static (string Text, string? Stop) Run(string[] stops, IEnumerable<string> deltas)
    {
        var matcher = new StopSequenceMatcher(stops);
        var output = new StringBuilder();
        foreach (var delta in deltas)
        {
            var result = matcher.Append(delta);
            output.Append(result.Text);
            foreach (var stop in stops)
            {
                Assert.DoesNotContain(stop, output.ToString(), StringComparison.Ordinal);
            }

            if (result.Stopped)
            {
                return (output.ToString(), result.StopSequence);
            }
        }

        output.Append(matcher.Flush());
        return (output.ToString(), null);
    }

    // Character by character: stop as soon as the text read so far ends with a stop sequence.
    private static (string Text, string? Stop) Reference(string[] stops, string text)
    {
        for (var end = 1; end <= text.Length; end++)
        {
            var best = stops.Where(s => text[..end].EndsWith(s, StringComparison.Ordinal)).OrderByDescending(s => s.Length).FirstOrDefault();
            if (best is not null)
            {
                return (text[..(end - best.Length)], best);
            }
        }

        return (text, null);
    }
}
