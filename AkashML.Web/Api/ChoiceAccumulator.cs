using System.Text;
using AkashML.Inference.Serving;

namespace AkashML.Web.Api;

/// <summary>Collects streamed updates into whole choices for non-streaming responses.</summary>
public sealed class ChoiceAccumulator
{
    private readonly SortedDictionary<int, Choice> _choices = [];

    public IEnumerable<Choice> Choices => _choices.Values;

    public int CompletionTokens => _choices.Values.Sum(c => c.CompletionTokens);

    public void Add(GenerationUpdate update)
    {
        if (!_choices.TryGetValue(update.ChoiceIndex, out var choice))
        {
            choice = new Choice(update.ChoiceIndex);
            _choices.Add(update.ChoiceIndex, choice);
        }

        choice.Text.Append(update.Text);
        choice.TokenIds.AddRange(update.TokenIds);
        if (update.Logprobs is not null)
        {
            choice.Logprobs.AddRange(update.Logprobs);
        }

        choice.CompletionTokens = update.CompletionTokens;
        if (update.FinishReason is { } reason)
        {
            choice.FinishReason = reason;
            choice.MatchedStopSequence = update.MatchedStopSequence;
        }
    }

    public sealed class Choice(int index)
    {
        public int Index { get; } = index;

        public StringBuilder Text { get; } = new();

        public List<int> TokenIds { get; } = [];

        public List<TokenLogprob> Logprobs { get; } = [];

        public int CompletionTokens { get; set; }

        public FinishReason? FinishReason { get; set; }

        public string? MatchedStopSequence { get; set; }
    }
}
