using System.Globalization;
using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c> of template values, so output matches what transformers (Python Jinja)
/// renders: <c>True</c>, <c>None</c>, <c>1.0</c>, <c>['a', 1]</c>, <c>{'k': 'v'}</c>.
/// </summary>
internal static class PythonFormat
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        null => "None",
        Undefined => string.Empty,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value, 0);
        return builder.ToString();
    }

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        Undefined => "Undefined",
        string => "str",
        bool => "bool",
        long => "int",
        double => "float",
        List<object?> => "list",
        object?[] => "tuple",
        TemplateDict => "dict",
        TemplateNamespace => "Namespace",
        LoopContext => "LoopContext",
        TemplateCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, scientific outside 1e-4 ≤ |x| &lt; 1e16.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "E16" is not shortest; "R" is, so take its digits and exponent and lay them out the Python way.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }

        var exponent = 0;
        var ePos = r.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..ePos];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var digits = dot >= 0 ? r.Remove(dot, 1) : r;
        var pointPosition = (dot >= 0 ? dot : r.Length) + exponent;
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..];
        pointPosition -= leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // Python's decimal exponent is pointPosition - 1 (one digit before the point in scientific form).
        var sciExponent = pointPosition - 1;
        var builder = new StringBuilder();
        if (negative)
        {
            builder.Append('-');
        }

        if (sciExponent < -4 || sciExponent >= 16)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(sciExponent < 0 ? '-' : '+');
            builder.Append(Math.Abs(sciExponent).ToString("00", CultureInfo.InvariantCulture));
            return builder.ToString();
        }

        if (pointPosition <= 0)
        {
            builder.Append("0.").Append('0', -pointPosition).Append(digits);
        }
        else if (pointPosition >= digits.Length)
        {
            builder.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
        }
        else
        {
            builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
        }

        return builder.ToString();
    }

    private static void AppendRepr(StringBuilder builder, object? value, int depth)
    {
        if (depth > 100)
        {
            builder.Append("...");
            return;
        }

        switch (value)
        {
            case string s:
                AppendStringRepr(builder, s);
                break;
            case List<object?> list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    AppendRepr(builder, list[i], depth + 1);
                }

                builder.Append(']');
                break;
            case object?[] tuple:
                builder.Append('(');
                for (var i = 0; i < tuple.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    AppendRepr(builder, tuple[i], depth + 1);
                }

                builder.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            case TemplateDict dict:
                builder.Append('{');
                var first = true;
                foreach (var pair in dict)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    AppendRepr(builder, pair.Key, depth + 1);
                    builder.Append(": ");
                    AppendRepr(builder, pair.Value, depth + 1);
                }

                builder.Append('}');
                break;
            case TemplateNamespace ns:
                builder.Append("<Namespace ");
                AppendRepr(builder, TemplateDict.FromStrings(ns.Attributes), depth + 1);
                builder.Append('>');
                break;
            case TemplateCallable callable:
                builder.Append("<function ").Append(callable.Name).Append('>');
                break;
            case LoopContext:
                builder.Append("<LoopContext>");
                break;
            default:
                builder.Append(Str(value));
                break;
        }
    }

    private static void AppendStringRepr(StringBuilder builder, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }
}
