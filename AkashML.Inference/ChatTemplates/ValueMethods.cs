using System.Globalization;
using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>The Python methods templates call on strings, dicts and lists (<c>text.strip()</c>, <c>d.items()</c>, <c>l.append(x)</c>).</summary>
internal static class ValueMethods
{
    private static readonly HashSet<string> StringMethods =
    [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "swapcase", "replace", "find", "rfind", "index", "rindex", "count", "join", "format",
        "isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isspace", "isupper", "islower", "center", "ljust",
        "rjust", "zfill", "removeprefix", "removesuffix", "partition", "rpartition",
    ];

    private static readonly HashSet<string> DictMethods =
    [
        "items", "keys", "values", "get", "copy", "update", "pop", "setdefault",
    ];

    private static readonly HashSet<string> ListMethods =
    [
        "append", "extend", "insert", "pop", "index", "count", "copy", "reverse", "remove", "clear",
    ];

    public static bool Has(object? target, string name) => target switch
    {
        string => StringMethods.Contains(name),
        TemplateDict => DictMethods.Contains(name),
        List<object?> => ListMethods.Contains(name),
        object?[] => name is "index" or "count",
        _ => false,
    };

    public static bool TryCall(object target, string name, Arguments args, out object? result)
    {
        result = null;
        if (!Has(target, name))
        {
            return false;
        }

        result = target switch
        {
            string s => CallString(s, name, args),
            TemplateDict d => CallDict(d, name, args),
            List<object?> l => CallList(l, name, args),
            object?[] t => CallTuple(t, name, args),
            _ => null,
        };
        return true;
    }

    private static string Text(object? value, string method) =>
        value as string ?? throw new TemplateValueError($"{method}() argument must be str, not {PythonFormat.TypeName(value)}");

    private static object? CallString(string s, string name, Arguments args)
    {
        switch (name)
        {
            case "strip":
                return args.Get(0, "chars") is string chars ? s.Trim(chars.ToCharArray()) : s.Trim();
            case "lstrip":
                return args.Get(0, "chars") is string lchars ? s.TrimStart(lchars.ToCharArray()) : s.TrimStart();
            case "rstrip":
                return args.Get(0, "chars") is string rchars ? s.TrimEnd(rchars.ToCharArray()) : s.TrimEnd();
            case "split":
                return Split(s, args.Get(0, "sep"), args.Get(1, "maxsplit", -1L), fromRight: false);
            case "rsplit":
                return Split(s, args.Get(0, "sep"), args.Get(1, "maxsplit", -1L), fromRight: true);
            case "splitlines":
                return SplitLines(s).ConvertAll(x => (object?)x);
            case "startswith":
                return Affix(s, args.Get(0, "prefix"), (text, p) => text.StartsWith(p, StringComparison.Ordinal));
            case "endswith":
                return Affix(s, args.Get(0, "suffix"), (text, p) => text.EndsWith(p, StringComparison.Ordinal));
            case "upper":
                return s.ToUpperInvariant();
            case "lower":
                return s.ToLowerInvariant();
            case "title":
                return Title(s);
            case "capitalize":
                return Capitalize(s);
            case "swapcase":
                return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
            case "replace":
                return Replace(s, Text(args.Get(0, "old"), "replace"), Text(args.Get(1, "new"), "replace"), ValueOperations.ToLong(args.Get(2, "count", -1L)));
            case "find":
                return (long)s.IndexOf(Text(args.Get(0, "sub"), "find"), StringComparison.Ordinal);
            case "rfind":
                return (long)s.LastIndexOf(Text(args.Get(0, "sub"), "rfind"), StringComparison.Ordinal);
            case "index":
            case "rindex":
                {
                    var sub = Text(args.Get(0, "sub"), name);
                    var at = name == "index" ? s.IndexOf(sub, StringComparison.Ordinal) : s.LastIndexOf(sub, StringComparison.Ordinal);
                    return at >= 0 ? (long)at : throw new TemplateValueError("substring not found");
                }

            case "count":
                return (long)CountOccurrences(s, Text(args.Get(0, "sub"), "count"));
            case "join":
                return string.Join(s, ValueOperations.ToList(args.Get(0, "iterable")).Select(x => Text(x, "join")));
            case "format":
                return Format(s, args);
            case "isdigit" or "isnumeric" or "isdecimal":
                return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha":
                return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum":
                return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace":
                return s.Length > 0 && s.All(char.IsWhiteSpace);
            case "isupper":
                return s.Any(char.IsLetter) && !s.Any(char.IsLower);
            case "islower":
                return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
            case "center":
            case "ljust":
            case "rjust":
                {
                    var width = (int)Math.Min(ValueOperations.ToLong(args.Get(0, "width")), ValueOperations.MaxBuiltLength);
                    var fill = args.Get(1, "fillchar") is string f && f.Length == 1 ? f[0] : ' ';
                    if (width <= s.Length)
                    {
                        return s;
                    }

                    var pad = width - s.Length;
                    return name switch
                    {
                        "ljust" => s + new string(fill, pad),
                        "rjust" => new string(fill, pad) + s,
                        _ => new string(fill, pad / 2 + (pad & width & 1)) + s + new string(fill, pad - (pad / 2 + (pad & width & 1))),
                    };
                }

            case "zfill":
                {
                    var width = (int)Math.Min(ValueOperations.ToLong(args.Get(0, "width")), ValueOperations.MaxBuiltLength);
                    if (width <= s.Length)
                    {
                        return s;
                    }

                    var sign = s.Length > 0 && s[0] is '+' or '-' ? s[..1] : string.Empty;
                    return sign + new string('0', width - s.Length) + s[sign.Length..];
                }

            case "removeprefix":
                {
                    var prefix = Text(args.Get(0, "prefix"), name);
                    return s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
                }

            case "removesuffix":
                {
                    var suffix = Text(args.Get(0, "suffix"), name);
                    return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
                }

            case "partition":
            case "rpartition":
                {
                    var sep = Text(args.Get(0, "sep"), name);
                    var at = name == "partition" ? s.IndexOf(sep, StringComparison.Ordinal) : s.LastIndexOf(sep, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        return name == "partition" ? new object?[] { s, string.Empty, string.Empty } : new object?[] { string.Empty, string.Empty, s };
                    }

                    return new object?[] { s[..at], sep, s[(at + sep.Length)..] };
                }

            default:
                throw new TemplateValueError($"'str' object has no attribute '{name}'");
        }
    }

    private static object? CallDict(TemplateDict d, string name, Arguments args)
    {
        switch (name)
        {
            case "items":
                return d.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList();
            case "keys":
                return d.Keys.ToList<object?>();
            case "values":
                return d.Values.ToList();
            case "get":
                return d.TryGetValue(args.Get(0, "key"), out var value) ? value : args.Get(1, "default");
            case "copy":
                {
                    var copy = new TemplateDict(d.Count);
                    foreach (var pair in d)
                    {
                        copy[pair.Key] = pair.Value;
                    }

                    return copy;
                }

            case "update":
                if (args.Get(0, "other") is TemplateDict other)
                {
                    foreach (var pair in other)
                    {
                        d[pair.Key] = pair.Value;
                    }
                }

                foreach (var pair in args.Named)
                {
                    d[pair.Key] = pair.Value;
                }

                return null;
            case "pop":
                {
                    var key = args.Get(0, "key");
                    if (key is not null and not Undefined && d.Remove(key, out var removed))
                    {
                        return removed;
                    }

                    return args.Has(1, "default") ? args.Get(1, "default") : throw new TemplateValueError($"KeyError: {PythonFormat.Repr(key)}");
                }

            case "setdefault":
                {
                    var key = args.Get(0, "key") ?? throw new TemplateValueError("dict keys cannot be None");
                    if (!d.TryGetValue(key, out var existing))
                    {
                        existing = args.Get(1, "default");
                        d[key] = existing;
                    }

                    return existing;
                }

            default:
                throw new TemplateValueError($"'dict' object has no attribute '{name}'");
        }
    }

    private static object? CallList(List<object?> l, string name, Arguments args)
    {
        switch (name)
        {
            case "append":
                if (l.Count >= ValueOperations.MaxBuiltLength)
                {
                    throw new TemplateValueError("list is too large");
                }

                l.Add(args.Get(0, "object"));
                return null;
            case "extend":
                l.AddRange(ValueOperations.ToList(args.Get(0, "iterable")));
                return null;
            case "insert":
                {
                    var index = ValueOperations.ToLong(args.Get(0, "index"));
                    if (index < 0)
                    {
                        index = Math.Max(0, index + l.Count);
                    }

                    l.Insert((int)Math.Min(index, l.Count), args.Get(1, "object"));
                    return null;
                }

            case "pop":
                {
                    if (l.Count == 0)
                    {
                        throw new TemplateValueError("pop from empty list");
                    }

                    var index = ValueOperations.ToLong(args.Get(0, "index", -1L));
                    if (index < 0)
                    {
                        index += l.Count;
                    }

                    if (index < 0 || index >= l.Count)
                    {
                        throw new TemplateValueError("pop index out of range");
                    }

                    var item = l[(int)index];
                    l.RemoveAt((int)index);
                    return item;
                }

            case "remove":
                {
                    var at = l.FindIndex(x => ValueOperations.AreEqual(x, args.Get(0, "value")));
                    if (at < 0)
                    {
                        throw new TemplateValueError("list.remove(x): x not in list");
                    }

                    l.RemoveAt(at);
                    return null;
                }

            case "clear":
                l.Clear();
                return null;
            case "reverse":
                l.Reverse();
                return null;
            case "copy":
                return new List<object?>(l);
            default:
                return CallTuple(l, name, args);
        }
    }

    private static object? CallTuple(IReadOnlyList<object?> items, string name, Arguments args)
    {
        var value = args.Get(0, "value");
        switch (name)
        {
            case "index":
                for (var i = 0; i < items.Count; i++)
                {
                    if (ValueOperations.AreEqual(items[i], value))
                    {
                        return (long)i;
                    }
                }

                throw new TemplateValueError($"{PythonFormat.Repr(value)} is not in list");
            case "count":
                return (long)items.Count(x => ValueOperations.AreEqual(x, value));
            default:
                throw new TemplateValueError($"'list' object has no attribute '{name}'");
        }
    }

    private static bool Affix(string s, object? affix, Func<string, string, bool> test) => affix switch
    {
        string text => test(s, text),
        object?[] or List<object?> => ValueOperations.ToList(affix).Any(x => test(s, Text(x, "startswith"))),
        _ => throw new TemplateValueError($"startswith/endswith first arg must be str or a tuple of str, not {PythonFormat.TypeName(affix)}"),
    };

    private static List<object?> Split(string s, object? separator, object? maxSplitValue, bool fromRight)
    {
        var maxSplit = maxSplitValue is null ? -1 : ValueOperations.ToLong(maxSplitValue);
        var result = new List<object?>();
        if (separator is null or Undefined)
        {
            // Whitespace split: runs of whitespace separate, no empty strings.
            var parts = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (maxSplit < 0 || parts.Length <= maxSplit + 1)
            {
                result.AddRange(parts);
                return result;
            }

            return fromRight ? SplitWhitespaceRight(s, maxSplit) : SplitWhitespaceLeft(s, maxSplit);
        }

        var sep = Text(separator, "split");
        if (sep.Length == 0)
        {
            throw new TemplateValueError("empty separator");
        }

        if (!fromRight || maxSplit < 0)
        {
            var parts = maxSplit < 0
                ? s.Split(sep)
                : s.Split(sep, (int)Math.Min(maxSplit + 1, int.MaxValue));
            result.AddRange(parts);
            return result;
        }

        var pieces = new List<string>();
        var end = s.Length;
        while (maxSplit-- > 0)
        {
            var at = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - 1, StringComparison.Ordinal);
            if (at < 0 || at + sep.Length > end)
            {
                break;
            }

            pieces.Add(s[(at + sep.Length)..end]);
            end = at;
        }

        pieces.Add(s[..end]);
        pieces.Reverse();
        result.AddRange(pieces);
        return result;
    }

    private static List<object?> SplitWhitespaceLeft(string s, long maxSplit)
    {
        var result = new List<object?>();
        var i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        while (i < s.Length)
        {
            if (maxSplit-- == 0)
            {
                result.Add(s[i..].TrimEnd());
                break;
            }

            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            result.Add(s[start..i]);
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }
        }

        return result;
    }

    private static List<object?> SplitWhitespaceRight(string s, long maxSplit)
    {
        var result = new List<object?>();
        var i = s.Length;
        while (i > 0 && char.IsWhiteSpace(s[i - 1]))
        {
            i--;
        }

        while (i > 0)
        {
            if (maxSplit-- == 0)
            {
                result.Add(s[..i].TrimStart());
                break;
            }

            var end = i;
            while (i > 0 && !char.IsWhiteSpace(s[i - 1]))
            {
                i--;
            }

            result.Add(s[i..end]);
            while (i > 0 && char.IsWhiteSpace(s[i - 1]))
            {
                i--;
            }
        }

        result.Reverse();
        return result;
    }

    /// <summary>Python's <c>str.splitlines()</c> (without keepends).</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(s[start..i]);
                if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            if (char.IsLetter(c))
            {
                builder.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                previousCased = true;
            }
            else
            {
                builder.Append(c);
                previousCased = false;
            }
        }

        return builder.ToString();
    }

    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string Replace(string s, string oldValue, string newValue, long count)
    {
        if (count < 0)
        {
            if (oldValue.Length == 0)
            {
                // Python inserts the replacement between every character and at both ends.
                var builder = new StringBuilder(newValue);
                foreach (var c in s)
                {
                    builder.Append(c).Append(newValue);
                }

                return builder.ToString();
            }

            return s.Replace(oldValue, newValue, StringComparison.Ordinal);
        }

        var result = new StringBuilder();
        var pos = 0;
        while (count-- > 0 && oldValue.Length > 0)
        {
            var at = s.IndexOf(oldValue, pos, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            result.Append(s, pos, at - pos).Append(newValue);
            pos = at + oldValue.Length;
        }

        result.Append(s, pos, s.Length - pos);
        return result.ToString();
    }

    private static int CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return s.Length + 1;
        }

        var count = 0;
        var pos = 0;
        while ((pos = s.IndexOf(sub, pos, StringComparison.Ordinal)) >= 0)
        {
            count++;
            pos += sub.Length;
        }

        return count;
    }

    /// <summary><c>str.format</c> with <c>{}</c>, <c>{0}</c> and <c>{name}</c> fields (format specs are not supported).</summary>
    private static string Format(string s, Arguments args)
    {
        var builder = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '{' && i + 1 < s.Length && s[i + 1] == '{')
            {
                builder.Append('{');
                i++;
                continue;
            }

            if (c == '}' && i + 1 < s.Length && s[i + 1] == '}')
            {
                builder.Append('}');
                i++;
                continue;
            }

            if (c != '{')
            {
                builder.Append(c);
                continue;
            }

            var close = s.IndexOf('}', i);
            if (close < 0)
            {
                throw new TemplateValueError("Single '{' encountered in format string");
            }

            var field = s[(i + 1)..close];
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                field = field[..colon];
            }

            object? value;
            if (field.Length == 0)
            {
                value = auto < args.Count ? args.Positional[auto++] : throw new TemplateValueError("format: not enough arguments");
            }
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                value = index < args.Count ? args.Positional[index] : throw new TemplateValueError("format: index out of range");
            }
            else
            {
                value = args.Get(-1, field, Undefined.Instance);
                if (value is Undefined)
                {
                    throw new TemplateValueError($"format: missing argument '{field}'");
                }
            }

            builder.Append(PythonFormat.Str(value));
            i = close;
        }

        return builder.ToString();
    }
}
