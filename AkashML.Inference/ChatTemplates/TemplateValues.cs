using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Converts caller data (CLR dictionaries and lists, <see cref="JsonNode"/>, <see cref="JsonElement"/>) into template
/// values. JSON numbers keep Python's int/float distinction from their text: <c>1</c> is an int, <c>1.0</c> a float.
/// </summary>
internal static class TemplateValues
{
    private const int MaxDepth = 128;

    public static object? FromClr(object? value) => FromClr(value, 0);

    private static object? FromClr(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"Template variable nests deeper than {MaxDepth} levels.");
        }

        switch (value)
        {
            case null:
                return null;
            case string or bool or long or double or Undefined or TemplateDict or TemplateNamespace or TemplateCallable:
                return value;
            case int i:
                return (long)i;
            case short or byte or sbyte or ushort or uint:
                return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u:
                return u <= long.MaxValue ? (long)u : (double)u;
            case float f:
                return (double)f;
            case decimal m:
                return (double)m;
            case char c:
                return c.ToString();
            case Enum e:
                return e.ToString();
            case JsonElement element:
                return FromElement(element, depth);
            case JsonNode node:
                return FromNode(node, depth);
            case List<object?> or object?[]:
                return CopyList((IEnumerable)value, depth);
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                {
                    var dict = new TemplateDict();
                    foreach (var pair in pairs)
                    {
                        dict[pair.Key] = FromClr(pair.Value, depth + 1);
                    }

                    return dict;
                }

            case IDictionary dictionary:
                {
                    var dict = new TemplateDict();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        dict[FromClr(entry.Key, depth + 1) ?? throw new ArgumentException("Dictionary keys cannot be null.")] = FromClr(entry.Value, depth + 1);
                    }

                    return dict;
                }

            case IEnumerable sequence:
                return CopyList(sequence, depth);
            default:
                throw new ArgumentException($"Values of type {value.GetType().FullName} cannot be passed to a chat template.");
        }
    }

    private static List<object?> CopyList(IEnumerable items, int depth)
    {
        var list = new List<object?>();
        foreach (var item in items)
        {
            list.Add(FromClr(item, depth + 1));
        }

        return list;
    }

    private static object? FromNode(JsonNode node, int depth)
    {
        switch (node)
        {
            case JsonObject obj:
                {
                    var dict = new TemplateDict(obj.Count);
                    foreach (var pair in obj)
                    {
                        dict[pair.Key] = pair.Value is null ? null : FromNode(pair.Value, depth + 1);
                    }

                    return dict;
                }

            case JsonArray array:
                {
                    var list = new List<object?>(array.Count);
                    foreach (var item in array)
                    {
                        list.Add(item is null ? null : FromNode(item, depth + 1));
                    }

                    return list;
                }

            case JsonValue value:
                if (value.TryGetValue<JsonElement>(out var element))
                {
                    return FromElement(element, depth);
                }

                if (value.TryGetValue<string>(out var text))
                {
                    return text;
                }

                if (value.TryGetValue<bool>(out var flag))
                {
                    return flag;
                }

                if (value.TryGetValue<long>(out var l))
                {
                    return l;
                }

                if (value.TryGetValue<int>(out var i))
                {
                    return (long)i;
                }

                if (value.TryGetValue<double>(out var d))
                {
                    return d;
                }

                using (var document = JsonDocument.Parse(value.ToJsonString()))
                {
                    return FromElement(document.RootElement.Clone(), depth);
                }

            default:
                return null;
        }
    }

    private static object? FromElement(JsonElement element, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"Template variable nests deeper than {MaxDepth} levels.");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                {
                    var dict = new TemplateDict();
                    foreach (var property in element.EnumerateObject())
                    {
                        dict[property.Name] = FromElement(property.Value, depth + 1);
                    }

                    return dict;
                }

            case JsonValueKind.Array:
                {
                    var list = new List<object?>(element.GetArrayLength());
                    foreach (var item in element.EnumerateArray())
                    {
                        list.Add(FromElement(item, depth + 1));
                    }

                    return list;
                }

            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                {
                    var raw = element.GetRawText();
                    var isFloat = raw.AsSpan().IndexOfAny(".eE") >= 0;
                    if (!isFloat && element.TryGetInt64(out var integer))
                    {
                        return integer;
                    }

                    return element.GetDouble();
                }

            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
