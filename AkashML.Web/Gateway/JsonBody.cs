using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace AkashML.Web.Gateway;

/// <summary>
/// A request body as a JSON object with typed accessors whose failures name the parameter (400). Unknown fields are
/// simply never read, so clients may send extras.
/// </summary>
public sealed partial class JsonBody(JsonObject root)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>The bytes the body was parsed from, while <see cref="Root"/> still says the same.</summary>
    private ReadOnlyMemory<byte>? _utf8;

    public JsonObject Root { get; } = root;

    /// <summary>Reads and parses the body, refusing more than <paramref name="maxBytes"/> (413).</summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var utf8 = await ReadBytesAsync(request, maxBytes, cancellationToken);
        if (utf8.Length == 0)
        {
            throw ApiException.InvalidParameter("body", "The request body is empty; send a JSON object.");
        }

        JsonNode? node;
        try
        {
            RejectUnreadableStrings(utf8.Span);
            node = JsonNode.Parse(utf8.Span, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw ApiException.InvalidParameter("body", "The request body is not valid JSON: " + ex.Message);
        }

        if (node is not JsonObject obj)
        {
            throw ApiException.InvalidParameter("body", "The request body must be a JSON object.");
        }

        return new JsonBody(obj) { _utf8 = utf8 };
    }

    /// <summary>Marks <see cref="Root"/> as changed (a preset's defaults merged in): typed reads then follow the tree.</summary>
    public void Changed() => _utf8 = null;

    /// <summary>
    /// The body's bytes: read into one array of the announced length when the client sent Content-Length (the usual
    /// case), grown as needed otherwise; more than <paramref name="maxBytes"/> is a 413 either way.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var buffer = new byte[request.ContentLength is { } announced ? (int)announced + 1 : 4096];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }

                Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, maxBytes + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (length > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }

        return buffer.AsMemory(0, length);
    }

    /// <summary>
    /// The body as the typed record <typeparamref name="T"/> (source-generated <paramref name="typeInfo"/>). A field of
    /// the wrong JSON type is a 400 naming it; unknown fields are ignored.
    /// </summary>
    public T Read<T>(JsonTypeInfo<T> typeInfo)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        try
        {
            // Straight from the bytes when nothing changed the tree since it was parsed: one pass, no re-serialising.
            var value = _utf8 is { } utf8 ? JsonSerializer.Deserialize(utf8.Span, typeInfo) : Root.Deserialize(typeInfo);
            return value ?? throw ApiException.InvalidParameter("body", "The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { } path && TopLevelField().Match(path) is { Success: true } match
                ? (match.Groups[1].Success ? match.Groups[1] : match.Groups[2]).Value
                : null;
            if (field is null)
            {
                throw ApiException.InvalidParameter("body", "The request body does not have the expected shape: " + ex.Message);
            }

            var expected = typeInfo.Properties.FirstOrDefault(p => p.Name == field)?.PropertyType;
            throw ApiException.InvalidParameter(field, $"'{field}' must be {Describe(expected)}.");
        }
    }

    /// <summary>
    /// Refuses strings that are no text, naming the top-level field that holds them: bytes that are not UTF-8, and
    /// escapes of half a UTF-16 surrogate pair (<c>"\ud800"</c>), which .NET refuses to read wherever they are used later.
    /// </summary>
    private static void RejectUnreadableStrings(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        string? field = null;
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            {
                continue;
            }

            var isField = reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1;
            var name = isField ? "body" : field ?? "body";
            if (!reader.ValueIsEscaped && !isField)
            {
                if (!Utf8.IsValid(reader.ValueSpan))
                {
                    throw ApiException.InvalidParameter(name, $"'{name}' is not valid UTF-8 text.");
                }

                continue;
            }

            string value;
            try
            {
                value = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw ApiException.InvalidParameter(name, $"'{name}' contains text that is not valid UTF-8 or a lone UTF-16 surrogate escape (such as \\ud800).");
            }

            if (isField)
            {
                field = value;
            }
        }
    }

    private const int MaxDepth = 128;

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

    /// <summary>Checks an optional number against its range (400 naming <paramref name="name"/>).</summary>
    public static double? InRange(double? value, string name, double min, double max) =>
        value is { } v ? InRange(name, v, min, max) : null;

    /// <summary>Checks an optional integer against its range (400 naming <paramref name="name"/>).</summary>
    public static int? InRange(int? value, string name, int min, int max) =>
        value is { } v ? (int)InRange(name, v, min, max) : null;

    private static string Describe(Type? type) => (type is null ? null : Nullable.GetUnderlyingType(type) ?? type) switch
    {
        null => "of another type",
        var t when t == typeof(double) || t == typeof(float) => "a number",
        var t when t == typeof(int) || t == typeof(long) => "an integer",
        var t when t == typeof(bool) => "a boolean",
        var t when t == typeof(string) => "a string",
        var t when t == typeof(JsonNode) => "valid JSON",
        var t when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) => "an object mapping token ids to numbers",
        _ => "an object of the documented shape",
    };

    /// <summary>The first member of a JSON path: <c>$.temperature</c>, <c>$.stream_options.include_usage</c>, <c>$['odd name']</c>.</summary>
    [GeneratedRegex(@"^\$(?:\.([A-Za-z0-9_]+)|\['([^']+)'\])")]
    private static partial Regex TopLevelField();

    private static double InRange(string name, double value, double min, double max) =>
        value >= min && value <= max
            ? value
            : throw ApiException.InvalidParameter(name, string.Create(CultureInfo.InvariantCulture,
                $"'{name}' must be between {min} and {max}, got {value}."));

    private static ApiException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ApiErrorKind.RequestTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"The request body exceeds the limit of {maxBytes} bytes."), "body", "request_too_large");
}
