using System.Globalization;
using AkashML.Inference.Serving;
using AkashML.Inference.Tokenizers;

namespace AkashML.Web.Gateway;

/// <summary>Checks that apply to every generating route: token ids in range, the context length, what the engine supports.</summary>
public static class GenerationGuard
{
    /// <summary>
    /// The number of new tokens to allow. A prompt that fills the context is always an error; a max that does not fit
    /// is an error (<paramref name="clamp"/> false, OpenAI) or clamped to what remains (Anthropic, as Claude Code needs).
    /// </summary>
    public static int FitToContext(ITextModel model, int promptTokens, int requestedMax, bool clamp, string maxParam, string promptParam)
    {
        var context = model.Descriptor.ContextLength;
        if (promptTokens == 0)
        {
            throw ApiException.InvalidParameter(promptParam, $"'{promptParam}' produced no tokens; send some text.");
        }

        if (requestedMax < 1)
        {
            throw ApiException.InvalidParameter(maxParam, $"'{maxParam}' must be at least 1.");
        }

        if (promptTokens >= context)
        {
            throw ApiException.InvalidParameter(promptParam, string.Create(CultureInfo.InvariantCulture,
                $"The prompt has {promptTokens} tokens, but the model's context length is {context} tokens (at least one token must remain for the output)."));
        }

        var remaining = context - promptTokens;
        if (requestedMax <= remaining && (model.Descriptor.MaxOutputTokens is not { } cap || requestedMax <= cap))
        {
            return requestedMax;
        }

        if (clamp)
        {
            return Math.Min(remaining, model.Descriptor.MaxOutputTokens ?? remaining);
        }

        throw ApiException.InvalidParameter(maxParam, model.Descriptor.MaxOutputTokens is { } max && max < remaining
            ? string.Create(CultureInfo.InvariantCulture, $"'{maxParam}' is {requestedMax}, but the model '{model.Descriptor.Id}' writes at most {max} tokens per answer.")
            : string.Create(CultureInfo.InvariantCulture,
                $"'{maxParam}' is {requestedMax}, but the prompt has {promptTokens} tokens and the context length is {context}: at most {remaining} new tokens fit."));
    }

    /// <summary>
    /// Answers 400 naming a parameter the model cannot honour: a biased token outside its vocabulary, or a feature its
    /// engine lacks (the official GenAI engine's limits).
    /// </summary>
    public static void CheckSupported(ITextModel model, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        if (request.LogitBias is { } bias)
        {
            CheckTokenIds(model.Tokenizer, bias.Keys, "logit_bias");
        }

        try
        {
            model.EnsureSupported(request);
        }
        catch (UnsupportedGenerationFeatureException ex)
        {
            throw ApiException.InvalidParameter(ex.Parameter ?? "model", ex.Message);
        }
    }

    public static void CheckTokenIds(ITokenizer tokenizer, IEnumerable<int> ids, string param)
    {
        foreach (var id in ids)
        {
            if (id < 0 || id >= tokenizer.VocabularySize)
            {
                throw ApiException.InvalidParameter(param, string.Create(CultureInfo.InvariantCulture,
                    $"Token id {id} is outside the vocabulary (0..{tokenizer.VocabularySize - 1})."));
            }
        }
    }
}
