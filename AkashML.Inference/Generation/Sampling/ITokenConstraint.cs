namespace AkashML.Inference.Generation.Sampling;

/// <summary>A grammar over the generated text that rules out tokens which would break it.</summary>
public interface ITokenConstraint
{
    /// <summary>True once the text so far is a complete sentence of the grammar; the caller should end generation.</summary>
    bool IsComplete { get; }

    /// <summary>Sets the logit of every token that may not come next to −∞.</summary>
    void Mask(Span<float> logits);

    /// <summary>Moves past the token that was generated; throws <see cref="InvalidOperationException"/> if it was not allowed.</summary>
    void Advance(int tokenId);
}
