using System.Globalization;
using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// The <c>tojson</c> filter as transformers defines it: Python's <c>json.dumps(x, ensure_ascii=False, indent=None,
/// separators=None, sort_keys=False)</c>. Keys keep insertion order; separators are <c>", "</c> and <c>": "</c>
/// (<c>","</c> between items when indenting); floats use Python's repr; non-ASCII text is written as is.
/// </summary>
internal static class TemplateJson
{
    public sealed record Options(string? Indent, bool EnsureAscii, string ItemSeparator, string KeySeparator, bool SortKeys);

    public static string Serialize(object? value, Options options)
    {
        var builder = new StringBuilder();
        Write(builder, value, options, 0);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value, Options options, int depth)
    {
        if (depth > 256)
        {
            throw new TemplateValueError("tojson: value nests too deeply (circular reference?)");
        }

        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PythonFormat.FloatRepr(d));
                break;
            case string s:
                WriteString(builder, s, options.EnsureAscii);
                break;
            case List<object?> or object?[]:
                WriteArray(builder, (IReadOnlyList<object?>)value, options, depth);
                break;
            case TemplateDict dict:
                WriteObject(builder, dict, options, depth);
                break;
            case TemplateNamespace ns:
                WriteObject(builder, TemplateDict.FromStrings(ns.Attributes), options, depth);
                break;
            case Undefined:
                throw new TemplateValueError("Object of type Undefined is not JSON serializable");
            default:
                throw new TemplateValueError($"Object of type {PythonFormat.TypeName(value)} is not JSON serializable");
        }
    }

    private static void NewLine(StringBuilder builder, Options options, int depth)
    {
        builder.Append('\n');
        for (var i = 0; i < depth; i++)
        {
            builder.Append(options.Indent);
        }
    }

    private static void WriteArray(StringBuilder builder, IReadOnlyList<object?> items, Options options, int depth)
    {
        if (items.Count == 0)
        {
            builder.Append("[]");
            return;
        }

        builder.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(options.ItemSeparator);
            }

            if (options.Indent is not null)
            {
                NewLine(builder, options, depth + 1);
            }

            Write(builder, items[i], options, depth + 1);
        }

        if (options.Indent is not null)
        {
            NewLine(builder, options, depth);
        }

        builder.Append(']');
    }

    private static void WriteObject(StringBuilder builder, TemplateDict dict, Options options, int depth)
    {
        if (dict.Count == 0)
        {
            builder.Append("{}");
            return;
        }

        IEnumerable<KeyValuePair<string, object?>> pairs = dict.Select(p => new KeyValuePair<string, object?>(KeyText(p.Key), p.Value));
        if (options.SortKeys)
        {
            pairs = pairs.OrderBy(p => p.Key, StringComparer.Ordinal);
        }

        builder.Append('{');
        var first = true;
        foreach (var pair in pairs)
        {
            if (!first)
            {
                builder.Append(options.ItemSeparator);
            }

            first = false;
            if (options.Indent is not null)
            {
                NewLine(builder, options, depth + 1);
            }

            WriteString(builder, pair.Key, options.EnsureAscii);
            builder.Append(options.KeySeparator);
            Write(builder, pair.Value, options, depth + 1);
        }

        if (options.Indent is not null)
        {
            NewLine(builder, options, depth);
        }

        builder.Append('}');
    }

    private static string KeyText(object key) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PythonFormat.FloatRepr(d),
        _ => throw new TemplateValueError($"keys must be str, int, float or bool, not {PythonFormat.TypeName(key)}"),
    };

    private static void WriteString(StringBuilder builder, string s, bool ensureAscii)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
