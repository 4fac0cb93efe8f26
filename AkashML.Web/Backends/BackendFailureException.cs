namespace AkashML.Web.Backends;

/// <summary>
/// A backend could not serve (refused connection, a 5xx or 429 from an upstream, a bad stream): the request may be
/// retried on another backend if nothing was sent yet, and the failure counts toward ejecting the backend.
/// </summary>
public sealed class BackendFailureException : Exception
{
    public BackendFailureException()
    {
    }

    public BackendFailureException(string message)
        : base(message)
    {
    }

    public BackendFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
