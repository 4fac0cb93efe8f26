using AkashML.Inference.Serving;

namespace AkashML.Web.Backends;

/// <summary>One place a model's requests can be served: this process, an inference node, an OpenAI-compatible server.</summary>
public interface IBackend
{
    string Kind { get; }

    /// <summary>Where it serves, for people (a base URL, "this process").</summary>
    string Target { get; }

    /// <summary>
    /// The model to stream from. Remote kinds take the descriptor, tokenizer and chat template from the local catalog
    /// entry of the same id; called once per use, so an implementation caches what it builds.
    /// </summary>
    ValueTask<ITextModel> OpenAsync(CancellationToken cancellationToken);

    /// <summary>An active health check: returns when the backend can serve, throws why it cannot.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
