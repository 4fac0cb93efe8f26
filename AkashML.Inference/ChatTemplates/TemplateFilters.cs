using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AkashML.Inference.ChatTemplates;

internal delegate object? TemplateFilter(Interpreter interpreter, object? value, Arguments arguments);

/// <summary>The Jinja filters chat templates use, with transformers' own <c>tojson</c>.</summary>
internal static partial class TemplateFilters
{
    private static readonly Dictionary<string, TemplateFilter> Filters = new(StringComparer.Ordinal)
    {
        ["abs"] = (_, v, _) => v switch
        {
            long l => (object)Math.Abs(l),
            double d => Math.Abs(d),
            bool b => b ? 1L : 0L,
            _ => throw new TemplateValueError($"bad operand type for abs(): '{PythonFormat.TypeName(v)}'"),
        },
        ["attr"] = (_, v, a) => ValueOperations.GetAttribute(v, AsString(a.Get(0, "name"))),
        ["batch"] = Batch,
        ["capitalize"] = (_, v, _) => ValueMethods.Capitalize(PythonFormat.Str(v)),
        ["center"] = (_, v, a) => ValueMethodsCall(PythonFormat.Str(v), "center", new Arguments([a.Get(0, "width", 80L)], [], a.Offset)),
        ["count"] = (_, v, _) => ValueOperations.Length(v),
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["e"] = (_, v, _) => Escape(v),
        ["escape"] = (_, v, _) => Escape(v),
        ["first"] = (_, v, _) => v switch
        {
            List<object?> or object?[] or string or TemplateDict => ValueOperations.ToList(v) is { Count: > 0 } items ? items[0] : Undefined.Instance,
            Undefined => Undefined.Instance,
            _ => throw new TemplateValueError($"'{PythonFormat.TypeName(v)}' object is not iterable"),
        },
        ["float"] = (_, v, a) => ToFloat(v, a.Get(0, "default", 0.0)),
        ["forceescape"] = (_, v, _) => Escape(v),
        ["format"] = (_, v, a) => PercentFormat(AsString(v), a),
        ["indent"] = Indent,
        ["int"] = (_, v, a) => ToInt(v, a.Get(0, "default", 0L), a.Get(1, "base", 10L)),
        ["items"] = (_, v, _) => v switch
        {
            TemplateDict dict => dict.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList(),
            Undefined => new List<object?>(),
            _ => throw new TemplateValueError($"Can only get item pairs from a mapping, not '{PythonFormat.TypeName(v)}'"),
        },
        ["join"] = Join,
        ["last"] = (_, v, _) => v switch
        {
            List<object?> or object?[] or string => ValueOperations.ToList(v) is { Count: > 0 } items ? items[^1] : Undefined.Instance,
            Undefined => Undefined.Instance,
            _ => throw new TemplateValueError($"'{PythonFormat.TypeName(v)}' object is not reversible"),
        },
        ["length"] = (_, v, _) => ValueOperations.Length(v),
        ["list"] = (_, v, _) => new List<object?>(ValueOperations.ToList(v)),
        ["lower"] = (_, v, _) => PythonFormat.Str(v).ToLowerInvariant(),
        ["map"] = Map,
        ["max"] = (i, v, a) => MinMax(v, a, max: true),
        ["min"] = (i, v, a) => MinMax(v, a, max: false),
        ["pprint"] = (_, v, _) => PythonFormat.Repr(v),
        ["reject"] = (i, v, a) => Select(i, v, a, attribute: false, keep: false),
        ["rejectattr"] = (i, v, a) => Select(i, v, a, attribute: true, keep: false),
        ["replace"] = (_, v, a) => ValueMethods.Replace(
            PythonFormat.Str(v), PythonFormat.Str(a.Get(0, "old")), PythonFormat.Str(a.Get(1, "new")), a.Get(2, "count") is null ? -1 : ValueOperations.ToLong(a.Get(2, "count"))),
        ["reverse"] = (_, v, _) => v switch
        {
            string s => string.Concat(ValueOperations.Characters(s).AsEnumerable().Reverse()),
            Undefined => Undefined.Instance,
            _ => ValueOperations.ToList(v).Reverse().ToList(),
        },
        ["round"] = Round,
        ["safe"] = (_, v, _) => v,
        ["select"] = (i, v, a) => Select(i, v, a, attribute: false, keep: true),
        ["selectattr"] = (i, v, a) => Select(i, v, a, attribute: true, keep: true),
        ["sort"] = Sort,
        ["string"] = (_, v, _) => PythonFormat.Str(v),
        ["striptags"] = (_, v, _) => WhitespaceRun().Replace(TagPattern().Replace(PythonFormat.Str(v), string.Empty), " ").Trim(),
        ["sum"] = Sum,
        ["title"] = (_, v, _) => ValueMethods.Title(PythonFormat.Str(v)),
        ["tojson"] = ToJson,
        ["trim"] = (_, v, a) => a.Get(0, "chars") is string chars ? PythonFormat.Str(v).Trim(chars.ToCharArray()) : PythonFormat.Str(v).Trim(),
        ["truncate"] = Truncate,
        ["unique"] = Unique,
        ["upper"] = (_, v, _) => PythonFormat.Str(v).ToUpperInvariant(),
        ["wordcount"] = (_, v, _) => (long)WordPattern().Count(PythonFormat.Str(v)),
    };

    public static TemplateFilter? Find(string name) => Filters.GetValueOrDefault(name);

    private static string AsString(object? value) =>
        value as string ?? throw new TemplateValueError($"expected a string, got '{PythonFormat.TypeName(value)}'");

    private static object? ValueMethodsCall(string target, string method, Arguments arguments) =>
        ValueMethods.TryCall(target, method, arguments, out var result) ? result : Undefined.Instance;

    private static object? Default(Interpreter interpreter, object? value, Arguments arguments)
    {
        var fallback = arguments.Get(0, "default_value", string.Empty);
        var boolean = ValueOperations.IsTruthy(arguments.Get(1, "boolean", false));
        if (value is Undefined || (boolean && !ValueOperations.IsTruthy(value)))
        {
            return fallback;
        }

        return value;
    }

    /// <summary>HTML escaping as markupsafe does it.</summary>
    private static string Escape(object? value)
    {
        var text = PythonFormat.Str(value);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&#34;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static object? ToJson(Interpreter interpreter, object? value, Arguments arguments)
    {
        // transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False); a positional
        // number is taken as the indent, as Jinja's own tojson(indent) has it.
        var first = arguments.Count > 0 ? arguments.Positional[0] : null;
        var indentValue = first is long or double ? first : arguments.Get(-1, "indent");
        var ensureAscii = first is bool flag ? flag : ValueOperations.IsTruthy(arguments.Get(-1, "ensure_ascii", false));
        string? indent = indentValue switch
        {
            null or Undefined => null,
            string s => s,
            _ => new string(' ', (int)Math.Clamp(ValueOperations.ToLong(indentValue), 0, 64)),
        };
        var itemSeparator = indent is null ? ", " : ",";
        var keySeparator = ": ";
        if (arguments.Get(-1, "separators") is List<object?> or object?[] && ValueOperations.ToList(arguments.Get(-1, "separators")) is [string item, string key])
        {
            itemSeparator = item;
            keySeparator = key;
        }

        var sortKeys = ValueOperations.IsTruthy(arguments.Get(-1, "sort_keys", false));
        return TemplateJson.Serialize(value, new TemplateJson.Options(indent, ensureAscii, itemSeparator, keySeparator, sortKeys));
    }

    private static object? Indent(Interpreter interpreter, object? value, Arguments arguments)
    {
        var widthValue = arguments.Get(0, "width", 4L);
        var indentation = widthValue as string ?? new string(' ', (int)Math.Clamp(ValueOperations.ToLong(widthValue), 0, 1024));
        var first = ValueOperations.IsTruthy(arguments.Get(1, "first", false));
        var blank = ValueOperations.IsTruthy(arguments.Get(2, "blank", false));
        var text = PythonFormat.Str(value) + "\n";
        var lines = ValueMethods.SplitLines(text);
        string result;
        if (blank)
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            var builder = new StringBuilder(lines.Count > 0 ? lines[0] : string.Empty);
            for (var i = 1; i < lines.Count; i++)
            {
                builder.Append('\n');
                if (lines[i].Length > 0)
                {
                    builder.Append(indentation);
                }

                builder.Append(lines[i]);
            }

            result = builder.ToString();
        }

        return first ? indentation + result : result;
    }

    private static object? ToInt(object? value, object? fallback, object? baseValue)
    {
        switch (value)
        {
            case long l:
                return l;
            case bool b:
                return b ? 1L : 0L;
            case double d:
                return double.IsFinite(d) ? (long)Math.Truncate(d) : fallback;
            case string s:
                {
                    var text = s.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
                    var numberBase = (int)ValueOperations.ToLong(baseValue);
                    if (numberBase != 10)
                    {
                        try
                        {
                            var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.StartsWith("0b", StringComparison.OrdinalIgnoreCase) || text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
                            return Convert.ToInt64(digits, numberBase);
                        }
                        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                        {
                            return fallback;
                        }
                    }

                    if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return parsed;
                    }

                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)
                        ? (long)Math.Truncate(real)
                        : fallback;
                }

            default:
                return fallback;
        }
    }

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        double d => d,
        long l => (double)l,
        bool b => b ? 1.0 : 0.0,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => fallback,
    };

    private static object? Round(Interpreter interpreter, object? value, Arguments arguments)
    {
        var number = ValueOperations.ToDouble(value);
        var precision = (int)Math.Clamp(ValueOperations.ToLong(arguments.Get(0, "precision", 0L)), 0, 15);
        var method = arguments.Get(1, "method", "common") as string ?? "common";
        var factor = Math.Pow(10, precision);
        return method switch
        {
            "ceil" => Math.Ceiling(number * factor) / factor,
            "floor" => Math.Floor(number * factor) / factor,
            // Python's round(): halves go to the even neighbour.
            "common" => Math.Round(number, precision, MidpointRounding.ToEven),
            _ => throw new TemplateValueError("method must be 'common', 'ceil' or 'floor'"),
        };
    }

    private static object? Join(Interpreter interpreter, object? value, Arguments arguments)
    {
        var separator = PythonFormat.Str(arguments.Get(0, "d", string.Empty));
        var attribute = arguments.Get(1, "attribute");
        var items = ValueOperations.ToList(value);
        var builder = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(separator);
            }

            var item = attribute is null ? items[i] : AttributePath(items[i], attribute);
            builder.Append(PythonFormat.Str(item));
        }

        return builder.ToString();
    }

    /// <summary>Jinja's attribute lookup for filters: <c>"a.b"</c> walks nested items; integers index lists.</summary>
    private static object? AttributePath(object? item, object? attribute)
    {
        if (attribute is long index)
        {
            return ValueOperations.GetItem(item, index);
        }

        foreach (var part in PythonFormat.Str(attribute).Split('.'))
        {
            item = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? ValueOperations.GetItem(item, (long)number)
                : ValueOperations.GetItem(item, part);
        }

        return item;
    }

    private static object? Map(Interpreter interpreter, object? value, Arguments arguments)
    {
        var items = ValueOperations.ToList(value);
        var result = new List<object?>(items.Count);
        var attribute = arguments.Get(-1, "attribute");
        if (attribute is not null)
        {
            var hasDefault = arguments.Has(-1, "default");
            var fallback = arguments.Get(-1, "default");
            foreach (var item in items)
            {
                var mapped = AttributePath(item, attribute);
                result.Add(mapped is Undefined && hasDefault ? fallback : mapped);
            }

            return result;
        }

        if (arguments.Count == 0)
        {
            throw new TemplateValueError("map needs a filter name or attribute=");
        }

        var filterName = AsString(arguments.Positional[0]);
        var rest = new Arguments(arguments.Positional.Skip(1).ToList(), arguments.Named, arguments.Offset);
        foreach (var item in items)
        {
            result.Add(interpreter.ApplyFilter(filterName, item, rest));
        }

        return result;
    }

    private static List<object?> Select(Interpreter interpreter, object? value, Arguments arguments, bool attribute, bool keep)
    {
        var items = ValueOperations.ToList(value);
        var position = 0;
        object? attributeName = null;
        if (attribute)
        {
            attributeName = arguments.Get(0, "attribute") ?? throw new TemplateValueError("missing attribute name");
            position = 1;
        }

        string? testName = arguments.Count > position ? AsString(arguments.Positional[position]) : null;
        var rest = new Arguments(arguments.Positional.Skip(position + 1).ToList(), [], arguments.Offset);
        var result = new List<object?>();
        foreach (var item in items)
        {
            var subject = attribute ? AttributePath(item, attributeName) : item;
            var passed = testName is null ? ValueOperations.IsTruthy(subject) : interpreter.ApplyTest(testName, subject, rest);
            if (passed == keep)
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static object? SortKey(object? item, object? attribute, bool caseSensitive)
    {
        var key = attribute is null ? item : AttributePath(item, attribute);
        return !caseSensitive && key is string s ? s.ToLowerInvariant() : key;
    }

    private static object? Sort(Interpreter interpreter, object? value, Arguments arguments)
    {
        var reverse = ValueOperations.IsTruthy(arguments.Get(0, "reverse", false));
        var caseSensitive = ValueOperations.IsTruthy(arguments.Get(1, "case_sensitive", false));
        var attribute = arguments.Get(2, "attribute");
        var items = ValueOperations.ToList(value)
            .Select(item => (Item: item, Key: SortKey(item, attribute, caseSensitive)))
            .ToList();
        var sorted = reverse
            ? items.OrderByDescending(x => x.Key, Comparer<object?>.Create((a, b) => ValueOperations.Compare(a, b, "<")))
            : items.OrderBy(x => x.Key, Comparer<object?>.Create((a, b) => ValueOperations.Compare(a, b, "<")));
        return sorted.Select(x => x.Item).ToList();
    }

    private static object? DictSort(Interpreter interpreter, object? value, Arguments arguments)
    {
        if (value is not TemplateDict dict)
        {
            throw new TemplateValueError("dictsort expects a mapping");
        }

        var caseSensitive = ValueOperations.IsTruthy(arguments.Get(0, "case_sensitive", false));
        var byValue = PythonFormat.Str(arguments.Get(1, "by", "key")) == "value";
        var reverse = ValueOperations.IsTruthy(arguments.Get(2, "reverse", false));
        var comparer = Comparer<object?>.Create((a, b) => ValueOperations.Compare(a, b, "<"));
        var pairs = dict.Select(p => (Pair: (object?)new object?[] { p.Key, p.Value }, Key: byValue ? p.Value : p.Key))
            .Select(x => (x.Pair, Key: !caseSensitive && x.Key is string s ? s.ToLowerInvariant() : x.Key));
        var sorted = reverse ? pairs.OrderByDescending(x => x.Key, comparer) : pairs.OrderBy(x => x.Key, comparer);
        return sorted.Select(x => x.Pair).ToList();
    }

    private static object? Unique(Interpreter interpreter, object? value, Arguments arguments)
    {
        var caseSensitive = ValueOperations.IsTruthy(arguments.Get(0, "case_sensitive", false));
        var attribute = arguments.Get(1, "attribute");
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in ValueOperations.ToList(value))
        {
            var key = SortKey(item, attribute, caseSensitive);
            if (!seen.Exists(x => ValueOperations.AreEqual(x, key)))
            {
                seen.Add(key);
                result.Add(item);
            }
        }

        return result;
    }

    private static object? MinMax(object? value, Arguments arguments, bool max)
    {
        var caseSensitive = ValueOperations.IsTruthy(arguments.Get(0, "case_sensitive", false));
        var attribute = arguments.Get(1, "attribute");
        object? best = Undefined.Instance;
        object? bestKey = null;
        foreach (var item in ValueOperations.ToList(value))
        {
            var key = SortKey(item, attribute, caseSensitive);
            if (best is Undefined || (max ? ValueOperations.Compare(key, bestKey, ">") > 0 : ValueOperations.Compare(key, bestKey, "<") < 0))
            {
                best = item;
                bestKey = key;
            }
        }

        return best;
    }

    private static object? Sum(Interpreter interpreter, object? value, Arguments arguments)
    {
        var attribute = arguments.Get(0, "attribute");
        var total = arguments.Get(1, "start", 0L);
        foreach (var item in ValueOperations.ToList(value))
        {
            total = ValueOperations.Binary(BinaryOperator.Add, total, attribute is null ? item : AttributePath(item, attribute));
        }

        return total;
    }

    private static object? Batch(Interpreter interpreter, object? value, Arguments arguments)
    {
        var size = (int)Math.Clamp(ValueOperations.ToLong(arguments.Get(0, "linecount")), 1, int.MaxValue);
        var hasFill = arguments.Has(1, "fill_with");
        var fill = arguments.Get(1, "fill_with");
        var result = new List<object?>();
        List<object?>? current = null;
        foreach (var item in ValueOperations.ToList(value))
        {
            current ??= [];
            current.Add(item);
            if (current.Count == size)
            {
                result.Add(current);
                current = null;
            }
        }

        if (current is not null)
        {
            while (hasFill && current.Count < size)
            {
                current.Add(fill);
            }

            result.Add(current);
        }

        return result;
    }

    private static object? Truncate(Interpreter interpreter, object? value, Arguments arguments)
    {
        var text = PythonFormat.Str(value);
        var length = (int)Math.Clamp(ValueOperations.ToLong(arguments.Get(0, "length", 255L)), 0, int.MaxValue);
        var killWords = ValueOperations.IsTruthy(arguments.Get(1, "killwords", false));
        var end = PythonFormat.Str(arguments.Get(2, "end", "..."));
        var leeway = (int)ValueOperations.ToLong(arguments.Get(3, "leeway", 5L));
        if (text.Length <= length + leeway)
        {
            return text;
        }

        var cut = Math.Max(0, length - end.Length);
        if (killWords)
        {
            return text[..cut] + end;
        }

        var head = text[..cut];
        var space = head.LastIndexOf(' ');
        return (space > 0 ? head[..space] : head) + end;
    }

    /// <summary>Python's <c>"%s" % args</c> as the <c>format</c> filter does it (<c>%s %r %d %i %f %%</c>).</summary>
    private static string PercentFormat(string format, Arguments arguments)
    {
        var builder = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                builder.Append(c);
                continue;
            }

            var spec = format[++i];
            if (spec == '%')
            {
                builder.Append('%');
                continue;
            }

            var argument = next < arguments.Count ? arguments.Positional[next++] : throw new TemplateValueError("not enough arguments for format string");
            builder.Append(spec switch
            {
                's' => PythonFormat.Str(argument),
                'r' => PythonFormat.Repr(argument),
                'd' or 'i' => ValueOperations.ToLong(argument).ToString(CultureInfo.InvariantCulture),
                'f' => ValueOperations.ToDouble(argument).ToString("F6", CultureInfo.InvariantCulture),
                _ => throw new TemplateValueError($"unsupported format character '{spec}'"),
            });
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
