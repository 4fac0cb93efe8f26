namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Functions every template can call: Jinja's <c>range</c>, <c>dict</c>, <c>namespace</c>, <c>joiner</c>, and
/// transformers' <c>raise_exception(message)</c> and <c>strftime_now(format)</c>. Render variables of the same name
/// shadow them.
/// </summary>
internal static class TemplateGlobals
{
    private const long MaxRange = 1_000_000;

    private static readonly Dictionary<string, TemplateCallable> Functions = new(StringComparer.Ordinal)
    {
        ["range"] = new BuiltinFunction("range", (_, a) => Range(a)),
        ["dict"] = new BuiltinFunction("dict", (_, a) => Dict(a)),
        ["namespace"] = new BuiltinFunction("namespace", (_, a) => Namespace(a)),
        ["joiner"] = new BuiltinFunction("joiner", (_, a) => Joiner(PythonFormat.Str(a.Get(0, "sep", ", ")))),
        ["raise_exception"] = new BuiltinFunction("raise_exception", (_, a) => throw new TemplateRaisedException(PythonFormat.Str(a.Get(0, "message", string.Empty)))),
        ["strftime_now"] = new BuiltinFunction("strftime_now", (i, a) => Strftime.Format(i.TimeProvider.GetLocalNow(), PythonFormat.Str(a.Get(0, "format", "%Y-%m-%d")))),
    };

    public static TemplateCallable? Find(string name) => Functions.GetValueOrDefault(name);

    private static List<object?> Range(Arguments arguments)
    {
        long start = 0;
        long step = 1;
        long stop;
        switch (arguments.Count)
        {
            case 1:
                stop = ValueOperations.ToLong(arguments.Positional[0]);
                break;
            case 2 or 3:
                start = ValueOperations.ToLong(arguments.Positional[0]);
                stop = ValueOperations.ToLong(arguments.Positional[1]);
                if (arguments.Count == 3)
                {
                    step = ValueOperations.ToLong(arguments.Positional[2]);
                }

                break;
            default:
                throw new TemplateValueError($"range expected 1 to 3 arguments, got {arguments.Count}");
        }

        if (step == 0)
        {
            throw new TemplateValueError("range() arg 3 must not be zero");
        }

        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (result.Count >= MaxRange)
            {
                throw new TemplateValueError($"range() is limited to {MaxRange} items in templates");
            }

            result.Add(i);
        }

        return result;
    }

    private static TemplateDict Dict(Arguments arguments)
    {
        var dict = new TemplateDict();
        if (arguments.Count > 0)
        {
            switch (arguments.Positional[0])
            {
                case TemplateDict source:
                    foreach (var pair in source)
                    {
                        dict[pair.Key] = pair.Value;
                    }

                    break;
                case List<object?> or object?[]:
                    foreach (var pair in ValueOperations.ToList(arguments.Positional[0]))
                    {
                        var items = ValueOperations.ToList(pair);
                        if (items.Count != 2 || items[0] is null or Undefined)
                        {
                            throw new TemplateValueError("dict() sequence elements must be (key, value) pairs");
                        }

                        dict[items[0]!] = items[1];
                    }

                    break;
                default:
                    throw new TemplateValueError($"dict() cannot convert '{PythonFormat.TypeName(arguments.Positional[0])}'");
            }
        }

        foreach (var (key, value) in arguments.Named)
        {
            dict[key] = value;
        }

        return dict;
    }

    private static TemplateNamespace Namespace(Arguments arguments)
    {
        var ns = new TemplateNamespace();
        if (arguments.Count > 0 && arguments.Positional[0] is TemplateDict initial)
        {
            foreach (var pair in initial)
            {
                ns.Attributes[PythonFormat.Str(pair.Key)] = pair.Value;
            }
        }

        foreach (var (key, value) in arguments.Named)
        {
            ns.Attributes[key] = value;
        }

        return ns;
    }

    private static BuiltinFunction Joiner(string separator)
    {
        var used = false;
        return new BuiltinFunction("joiner", (_, _) =>
        {
            if (!used)
            {
                used = true;
                return string.Empty;
            }

            return separator;
        });
    }
}
