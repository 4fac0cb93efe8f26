namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// The token chosen for one position, with its log-probability and the most likely alternatives (descending;
/// empty unless asked for). Log-probabilities are those of the model's distribution after logit bias, penalties
/// and any constraint mask, before temperature and truncation — what the model "thought", not how the draw was
/// shaped, matching what the OpenAI API reports.
/// </summary>
public readonly record struct TokenChoice(int TokenId, float Logprob, IReadOnlyList<TokenLogprob> TopLogprobs);
