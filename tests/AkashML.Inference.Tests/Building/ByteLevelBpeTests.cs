using System.Text;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Building.Tokenizers;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tests.Building;

public sealed class ByteLevelBpeTests
{
    [Fact]
    public void The_most_frequent_pair_is_merged_first()
    {
        var model = ByteLevelBpeTrainer.Train("aaab aaab aaab cd", 258);
        Assert.Equal(("a", "a"), model.Merges[0]);
        Assert.Equal(258, model.Tokens.Count);
        Assert.Equal("aa", model.Tokens[256]);
    }

    [Fact]
    public void Spaces_are_byte_level_characters_and_every_byte_has_a_token()
    {
        var model = ByteLevelBpeTrainer.Train("hello hello hello", 300);
        Assert.Contains("\u0120hello", model.Tokens);
        var text = "tab\there, ünïcode 🙂";
        var ids = model.Encode(text);
        var bytes = ids.SelectMany(id => model.Tokens[id]).Select(c => Decode(c)).ToArray();
        Assert.Equal(text, Encoding.UTF8.GetString(bytes));

        static byte Decode(char c)
        {
            for (var b = 0; b < 256; b++)
            {
                if (ByteLevelAlphabet.Map((byte)b) == c)
                {
                    return (byte)b;
                }
            }

            throw new InvalidOperationException();
        }
    }

    [Fact]
    public void The_shipped_corpus_trains_a_tokenizer_that_compresses_it_at_least_three_bytes_per_token()
    {
        var corpus = TinyRandomModel.LoadCorpus();
        Assert.True(corpus.Length > 30_000, "the corpus should be tens of KB");
        var model = TinyRandomModel.TrainTokenizer();
        Assert.InRange(model.Tokens.Count, 8000, TinyRandomModel.LearnedVocabularyTarget);
        var ratio = Encoding.UTF8.GetByteCount(corpus) / (double)model.Encode(corpus).Count;
        Assert.True(ratio >= 3.0, $"compression {ratio:F2} bytes/token");
    }

    [Fact]
    public void The_tokenizer_compresses_an_unseen_agent_prompt_at_least_3_7_bytes_per_token()
    {
        // An original coding-agent style prompt (instructions, JSON tool schemas, markdown) kept out of the corpus, so
        // this measures generalisation rather than memorisation. The earlier 49 KB corpus managed only 3.5 here.
        using var stream = typeof(ByteLevelBpeTests).Assembly.GetManifestResourceStream("AkashML.Inference.Tests.Building.AgentPromptHeldOut.txt")
            ?? throw new InvalidOperationException("The held-out text resource is missing from the test assembly.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(text.Length > 4000, "the held-out text should be a few KB");
        var corpus = TinyRandomModel.LoadCorpus();
        Assert.All(text.Split('\n').Where(line => line.Length > 60), line => Assert.DoesNotContain(line, corpus, StringComparison.Ordinal));

        var model = TinyRandomModel.TrainTokenizer();
        var ratio = Encoding.UTF8.GetByteCount(text) / (double)model.Encode(text).Count;
        Assert.True(ratio >= 3.7, $"compression {ratio:F2} bytes/token on unseen text");
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var text = TinyRandomModel.LoadCorpus()[..5000];
        var first = ByteLevelBpeTrainer.Train(text, 700);
        var second = ByteLevelBpeTrainer.Train(text, 700);
        Assert.Equal(first.Merges, second.Merges);
    }
}
