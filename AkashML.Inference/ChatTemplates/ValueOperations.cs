using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Python semantics of template values: truthiness, equality, ordering, arithmetic, iteration, membership,
/// attribute and item access. Values are null (None), <see cref="Undefined"/>, string, bool, long, double,
/// <c>List&lt;object?&gt;</c> (list), <c>object?[]</c> (tuple), <see cref="TemplateDict"/>, <see cref="TemplateNamespace"/>,
/// <see cref="LoopContext"/> and <see cref="TemplateCallable"/>.
/// </summary>
internal static class ValueOperations
{
    /// <summary>Largest string or list an operation may build, so a hostile template cannot exhaust memory.</summary>
    public const int MaxBuiltLength = 64 * 1024 * 1024;

    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        TemplateDict dict => dict.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool AreEqual(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        switch (a)
        {
            case null:
                return b is null;
            case string sa:
                return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case long or double or bool when IsNumber(b):
                if (a is double || b is double)
                {
                    return ToDouble(a) == ToDouble(b);
                }

                return ToLong(a) == ToLong(b);
            case List<object?> la:
                return b is List<object?> lb && SequenceEqual(la, lb);
            case object?[] ta:
                return b is object?[] tb && SequenceEqual(ta, tb);
            case TemplateDict da:
                if (b is not TemplateDict db || da.Count != db.Count)
                {
                    return false;
                }

                foreach (var pair in da)
                {
                    if (!db.TryGetValue(pair.Key, out var other) || !AreEqual(pair.Value, other))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private static bool SequenceEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!AreEqual(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python ordering: numbers with numbers, strings with strings, sequences element-wise.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
            {
                return ToDouble(a).CompareTo(ToDouble(b));
            }

            return ToLong(a).CompareTo(ToLong(b));
        }

        if (a is string sa && b is string sb)
        {
            return string.CompareOrdinal(sa, sb);
        }

        if ((a is List<object?> && b is List<object?>) || (a is object?[] && b is object?[]))
        {
            var la = (IReadOnlyList<object?>)a;
            var lb = (IReadOnlyList<object?>)b;
            for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (!AreEqual(la[i], lb[i]))
                {
                    return Compare(la[i], lb[i], op);
                }
            }

            return la.Count.CompareTo(lb.Count);
        }

        throw new TemplateValueError($"'{op}' not supported between instances of '{PythonFormat.TypeName(a)}' and '{PythonFormat.TypeName(b)}'");
    }

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => (long)d,
        _ => throw new TemplateValueError($"expected an integer, got '{PythonFormat.TypeName(value)}'"),
    };

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateValueError($"expected a number, got '{PythonFormat.TypeName(value)}'"),
    };

    public static object? Binary(BinaryOperator op, object? left, object? right)
    {
        if (left is Undefined || right is Undefined)
        {
            throw new TemplateValueError($"undefined value used as an operand of '{Symbol(op)}'");
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return Arithmetic(op, left, right);
        }

        switch (op)
        {
            case BinaryOperator.Add when left is string a && right is string b:
                return CheckLength(a.Length + (long)b.Length, string.Concat(a, b));
            case BinaryOperator.Add when left is List<object?> a && right is List<object?> b:
                return CheckLength(a.Count + (long)b.Count, new List<object?>(a.Concat(b)));
            case BinaryOperator.Add when left is object?[] a && right is object?[] b:
                return CheckLength(a.Length + (long)b.Length, a.Concat(b).ToArray());
            case BinaryOperator.Multiply when left is string s && right is long or bool:
                return Repeat(s, ToLong(right));
            case BinaryOperator.Multiply when right is string s && left is long or bool:
                return Repeat(s, ToLong(left));
            case BinaryOperator.Multiply when left is List<object?> list && right is long or bool:
                return RepeatList(list, ToLong(right));
            default:
                throw new TemplateValueError(
                    $"unsupported operand type(s) for {Symbol(op)}: '{PythonFormat.TypeName(left)}' and '{PythonFormat.TypeName(right)}'");
        }
    }

    private static T CheckLength<T>(long length, T value) =>
        length > MaxBuiltLength ? throw new TemplateValueError("result is too large") : value;

    private static string Repeat(string s, long count)
    {
        if (count <= 0 || s.Length == 0)
        {
            return string.Empty;
        }

        if (count * s.Length > MaxBuiltLength)
        {
            throw new TemplateValueError("result is too large");
        }

        return new StringBuilder(s.Length * (int)count).Insert(0, s, (int)count).ToString();
    }

    private static List<object?> RepeatList(List<object?> list, long count)
    {
        if (count * list.Count > MaxBuiltLength)
        {
            throw new TemplateValueError("result is too large");
        }

        var result = new List<object?>();
        for (var i = 0; i < count; i++)
        {
            result.AddRange(list);
        }

        return result;
    }

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.FloorDivide => "//",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Power => "**",
        _ => "?",
    };

    private static object Arithmetic(BinaryOperator op, object? left, object? right)
    {
        var useDouble = left is double || right is double;
        if (op == BinaryOperator.Divide)
        {
            var divisor = ToDouble(right);
            return divisor == 0 ? throw new TemplateValueError("division by zero") : ToDouble(left) / divisor;
        }

        if (useDouble)
        {
            var a = ToDouble(left);
            var b = ToDouble(right);
            return op switch
            {
                BinaryOperator.Add => (object)(a + b),
                BinaryOperator.Subtract => a - b,
                BinaryOperator.Multiply => a * b,
                BinaryOperator.FloorDivide => b == 0 ? throw new TemplateValueError("float floor division by zero") : Math.Floor(a / b),
                BinaryOperator.Modulo => b == 0 ? throw new TemplateValueError("float modulo") : a - (b * Math.Floor(a / b)),
                BinaryOperator.Power => Math.Pow(a, b),
                _ => throw new TemplateValueError("unsupported operator"),
            };
        }

        var x = ToLong(left);
        var y = ToLong(right);
        try
        {
            return op switch
            {
                BinaryOperator.Add => (object)checked(x + y),
                BinaryOperator.Subtract => checked(x - y),
                BinaryOperator.Multiply => checked(x * y),
                BinaryOperator.FloorDivide => y == 0 ? throw new TemplateValueError("integer division or modulo by zero") : FloorDiv(x, y),
                BinaryOperator.Modulo => y == 0 ? throw new TemplateValueError("integer division or modulo by zero") : x - (y * FloorDiv(x, y)),
                BinaryOperator.Power => y < 0 ? Math.Pow(x, y) : (object)IntegerPower(x, y),
                _ => throw new TemplateValueError("unsupported operator"),
            };
        }
        catch (OverflowException)
        {
            throw new TemplateValueError("integer overflow");
        }
    }

    private static long FloorDiv(long x, long y)
    {
        var q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0)))
        {
            q--;
        }

        return q;
    }

    private static long IntegerPower(long x, long y)
    {
        long result = 1;
        while (y > 0)
        {
            if ((y & 1) == 1)
            {
                result = checked(result * x);
            }

            y >>= 1;
            if (y > 0)
            {
                x = checked(x * x);
            }
        }

        return result;
    }

    public static object Negate(object? value) => value switch
    {
        long l => (object)checked(-l),
        bool b => b ? -1L : 0L,
        double d => -d,
        _ => throw new TemplateValueError($"bad operand type for unary -: '{PythonFormat.TypeName(value)}'"),
    };

    /// <summary>Iterates like Python's <c>iter()</c>; undefined iterates as empty (Jinja's default Undefined).</summary>
    public static IReadOnlyList<object?> ToList(object? value)
    {
        switch (value)
        {
            case List<object?> list:
                return list;
            case object?[] tuple:
                return tuple;
            case TemplateDict dict:
                return dict.Keys.ToList<object?>();
            case string s:
                return Characters(s);
            case Undefined:
                return [];
            case TemplateNamespace ns:
                return ns.Attributes.Keys.ToList<object?>();
            default:
                throw new TemplateValueError($"'{PythonFormat.TypeName(value)}' object is not iterable");
        }
    }

    public static List<object?> Characters(string s)
    {
        var result = new List<object?>(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            result.Add(rune.ToString());
        }

        return result;
    }

    public static bool IsIterable(object? value) =>
        value is List<object?> or object?[] or TemplateDict or string or Undefined or TemplateNamespace;

    public static long Length(object? value) => value switch
    {
        string s => HasSurrogates(s) ? s.EnumerateRunes().Count() : s.Length,
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        TemplateDict dict => dict.Count,
        Undefined => 0,
        TemplateNamespace ns => ns.Attributes.Count,
        _ => throw new TemplateValueError($"object of type '{PythonFormat.TypeName(value)}' has no len()"),
    };

    public static bool HasSurrogates(string s)
    {
        foreach (var c in s)
        {
            if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                return item is string sub
                    ? s.Contains(sub, StringComparison.Ordinal)
                    : throw new TemplateValueError($"'in <string>' requires string as left operand, not {PythonFormat.TypeName(item)}");
            case List<object?> list:
                return list.Exists(x => AreEqual(x, item));
            case object?[] tuple:
                return Array.Exists(tuple, x => AreEqual(x, item));
            case TemplateDict dict:
                return dict.ContainsKey(item);
            case TemplateNamespace ns:
                return item is string key && ns.Attributes.ContainsKey(key);
            case Undefined:
                return false;
            default:
                throw new TemplateValueError($"argument of type '{PythonFormat.TypeName(container)}' is not iterable");
        }
    }

    /// <summary>Jinja's <c>obj.name</c>: attribute (method) first, then item; missing gives undefined.</summary>
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case TemplateDict dict:
                if (ValueMethods.Has(dict, name))
                {
                    return new BoundMethod(dict, name);
                }

                return dict.TryGetValue(name, out var value) ? value : Undefined.Instance;
            case TemplateNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Instance;
            case LoopContext loop:
                return loop.GetAttribute(name);
            case null or Undefined:
                return Undefined.Instance;
            default:
                return ValueMethods.Has(target, name) ? new BoundMethod(target, name) : Undefined.Instance;
        }
    }

    /// <summary>Jinja's <c>obj[key]</c>: item first, then attribute; missing gives undefined.</summary>
    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case TemplateDict dict:
                if (dict.TryGetValue(key, out var value))
                {
                    return value;
                }

                return key is string name ? GetAttribute(dict, name) : Undefined.Instance;
            case List<object?> or object?[]:
                {
                    var list = (IReadOnlyList<object?>)target;
                    if (key is long or bool)
                    {
                        var index = ToLong(key);
                        if (index < 0)
                        {
                            index += list.Count;
                        }

                        return index >= 0 && index < list.Count ? list[(int)index] : Undefined.Instance;
                    }

                    return key is string member ? GetAttribute(target, member) : Undefined.Instance;
                }

            case string s:
                if (key is long or bool)
                {
                    var chars = HasSurrogates(s) ? Characters(s) : null;
                    var count = chars?.Count ?? s.Length;
                    var index = ToLong(key);
                    if (index < 0)
                    {
                        index += count;
                    }

                    if (index < 0 || index >= count)
                    {
                        return Undefined.Instance;
                    }

                    return chars is null ? s[(int)index].ToString() : chars[(int)index];
                }

                return key is string method ? GetAttribute(s, method) : Undefined.Instance;
            case null or Undefined:
                return Undefined.Instance;
            default:
                return key is string attribute ? GetAttribute(target, attribute) : Undefined.Instance;
        }
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var stepValue = step is null or Undefined ? 1 : ToLong(step);
        if (stepValue == 0)
        {
            throw new TemplateValueError("slice step cannot be zero");
        }

        switch (target)
        {
            case string s:
                {
                    var items = Characters(s);
                    var indices = SliceIndices(items.Count, start, stop, stepValue);
                    var builder = new StringBuilder();
                    foreach (var i in indices)
                    {
                        builder.Append((string)items[i]!);
                    }

                    return builder.ToString();
                }

            case List<object?> or object?[]:
                {
                    var list = (IReadOnlyList<object?>)target;
                    var result = new List<object?>();
                    foreach (var i in SliceIndices(list.Count, start, stop, stepValue))
                    {
                        result.Add(list[i]);
                    }

                    return target is object?[] ? result.ToArray() : result;
                }

            case Undefined:
                return Undefined.Instance;
            default:
                throw new TemplateValueError($"'{PythonFormat.TypeName(target)}' object is not subscriptable");
        }
    }

    private static IEnumerable<int> SliceIndices(int length, object? start, object? stop, long step)
    {
        long Clamp(object? bound, long fallback, long low, long high)
        {
            if (bound is null or Undefined)
            {
                return fallback;
            }

            var value = ToLong(bound);
            if (value < 0)
            {
                value += length;
            }

            return Math.Clamp(value, low, high);
        }

        if (step > 0)
        {
            var from = Clamp(start, 0, 0, length);
            var to = Clamp(stop, length, 0, length);
            for (var i = from; i < to; i += step)
            {
                yield return (int)i;
            }
        }
        else
        {
            var from = Clamp(start, length - 1, -1, length - 1);
            var to = Clamp(stop, -1, -1, length - 1);
            for (var i = from; i > to; i += step)
            {
                yield return (int)i;
            }
        }
    }
}
