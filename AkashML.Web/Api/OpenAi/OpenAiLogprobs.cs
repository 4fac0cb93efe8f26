using System.Text;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;

namespace AkashML.Web.Api.OpenAi;

/// <summary>Renders log-probabilities in the chat shape and the legacy completions shape.</summary>
public static class OpenAiLogprobs
{
    /// <summary>vLLM's <c>return_tokens_as_token_ids</c>: tokens are written <c>token_id:&lt;id&gt;</c>.</summary>
    public static string TokenText(int id, string text, bool asTokenIds) =>
        asTokenIds ? "token_id:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) : text;

    public static JsonObject Chat(IEnumerable<TokenLogprob> logprobs, bool asTokenIds)
    {
        var content = new JsonArray();
        foreach (var lp in logprobs)
        {
            var top = new JsonArray();
            foreach (var alt in lp.TopAlternatives)
            {
                top.Add(new JsonObject
                {
                    ["token"] = TokenText(alt.TokenId, alt.Text, asTokenIds),
                    ["logprob"] = alt.Logprob,
                    ["bytes"] = Bytes(alt.Text),
                });
            }

            content.Add(new JsonObject
            {
                ["token"] = TokenText(lp.TokenId, lp.Text, asTokenIds),
                ["logprob"] = lp.Logprob,
                ["bytes"] = Bytes(lp.Text),
                ["top_logprobs"] = top,
            });
        }

        return new JsonObject { ["content"] = content, ["refusal"] = null };
    }

    /// <summary>The completions shape: parallel arrays with character offsets into the returned text.</summary>
    public static JsonObject Legacy(IEnumerable<TokenLogprob> logprobs, bool asTokenIds, int startOffset)
    {
        var tokens = new JsonArray();
        var tokenLogprobs = new JsonArray();
        var top = new JsonArray();
        var offsets = new JsonArray();
        var offset = startOffset;
        foreach (var lp in logprobs)
        {
            tokens.Add(TokenText(lp.TokenId, lp.Text, asTokenIds));
            tokenLogprobs.Add(lp.Logprob);
            var alternatives = new JsonObject();
            foreach (var alt in lp.TopAlternatives)
            {
                alternatives[TokenText(alt.TokenId, alt.Text, asTokenIds)] = alt.Logprob;
            }

            top.Add(alternatives);
            offsets.Add(offset);
            offset += lp.Text.Length;
        }

        return new JsonObject { ["tokens"] = tokens, ["token_logprobs"] = tokenLogprobs, ["top_logprobs"] = top, ["text_offset"] = offsets };
    }

    private static JsonArray Bytes(string text)
    {
        var array = new JsonArray();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            array.Add((int)b);
        }

        return array;
    }
}
