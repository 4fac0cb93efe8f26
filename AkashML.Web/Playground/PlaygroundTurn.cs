namespace AkashML.Web.Playground;

/// <summary>One user message and each model's reply to it (one reply per compared model, keyed by model id).</summary>
public sealed class PlaygroundTurn
{
    public string User { get; set; } = "";

    public Dictionary<string, PlaygroundReply> Replies { get; set; } = new(StringComparer.Ordinal);
}
