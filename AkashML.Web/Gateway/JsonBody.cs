using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Web.Gateway;

/// <summary>
/// A request body as a JSON object with typed accessors whose failures name the parameter (400). Unknown fields are
/// simply never read, so clients may send extras.
/// </summary>
public sealed class JsonBody(JsonObject root)
{
    public JsonObject Root { get; } = root;

    /// <summary>Reads and parses the body, refusing more than <paramref name="maxBytes"/> (413).</summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw ApiException.InvalidParameter("body", "The request body is empty; send a JSON object.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length).Span, documentOptions: new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException ex)
        {
            throw ApiException.InvalidParameter("body", "The request body is not valid JSON: " + ex.Message);
        }

        if (node is not JsonObject obj)
        {
            throw ApiException.InvalidParameter("body", "The request body must be a JSON object.");
        }

        return new JsonBody(obj);
    }

    public bool Has(string name) => Root.TryGetPropertyValue(name, out var node) && node is not null;

    public JsonNode? Node(string name) => Root.TryGetPropertyValue(name, out var node) ? node : null;

    public string RequiredString(string name) =>
        OptionalString(name) is { Length: > 0 } value ? value : throw ApiException.InvalidParameter(name, $"'{name}' is required and must be a non-empty string.");

    public string? OptionalString(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw ApiException.InvalidParameter(name, $"'{name}' must be a string."),
    };

    public bool? OptionalBool(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw ApiException.InvalidParameter(name, $"'{name}' must be a boolean."),
    };

    public double? OptionalNumber(string name, double min, double max) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => InRange(name, v.GetValue<double>(), min, max),
        _ => throw ApiException.InvalidParameter(name, $"'{name}' must be a number."),
    };

    public int? OptionalInt(string name, int min, int max) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) =>
            (int)InRange(name, d, min, max),
        _ => throw ApiException.InvalidParameter(name, $"'{name}' must be an integer."),
    };

    public long? OptionalLong(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) => l,
        _ => throw ApiException.InvalidParameter(name, $"'{name}' must be an integer."),
    };

    private static double InRange(string name, double value, double min, double max) =>
        value >= min && value <= max
            ? value
            : throw ApiException.InvalidParameter(name, string.Create(CultureInfo.InvariantCulture,
                $"'{name}' must be between {min} and {max}, got {value}."));

    private static ApiException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ApiErrorKind.RequestTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"The request body exceeds the limit of {maxBytes} bytes."), "body", "request_too_large");
}
