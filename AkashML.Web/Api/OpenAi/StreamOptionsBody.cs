namespace AkashML.Web.Api.OpenAi;

/// <summary><c>stream_options</c>: whether a stream ends with a usage chunk.</summary>
public sealed record StreamOptionsBody(bool? IncludeUsage);
