using System.Net;

namespace AkashML.Inference.Catalog.Hub;

/// <summary>A Hub listing or download failed; the message is one line naming the repository and the reason.</summary>
public sealed class HubException : Exception
{
    public HubException()
    {
    }

    public HubException(string message)
        : base(message)
    {
    }

    public HubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HubException(string message, HttpStatusCode? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status that caused the failure, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The bytes fetched so far were kept; running the same pull again resumes from them.</summary>
    public bool CanResume { get; init; }
}
