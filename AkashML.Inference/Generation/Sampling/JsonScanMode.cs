namespace AkashML.Inference.Generation.Sampling;

/// <summary>Where a <see cref="JsonScanState"/> is inside the JSON text: what the next character may be.</summary>
internal enum JsonScanMode : byte
{
    /// <summary>Before the top-level value, which must be an object.</summary>
    Start,

    /// <summary>Just after <c>{</c>: a key or <c>}</c>.</summary>
    ObjectKeyOrEnd,

    /// <summary>After a comma in an object: a key.</summary>
    ObjectKey,

    /// <summary>After a key: <c>:</c>.</summary>
    Colon,

    /// <summary>After <c>:</c> or a comma in an array: a value.</summary>
    Value,

    /// <summary>Just after <c>[</c>: a value or <c>]</c>.</summary>
    ArrayValueOrEnd,

    /// <summary>After a value inside a container: a comma or the matching closing bracket.</summary>
    AfterValue,

    /// <summary>The top-level object is closed; only whitespace may follow.</summary>
    Done,

    /// <summary>Inside a string.</summary>
    String,

    /// <summary>After a backslash in a string.</summary>
    StringEscape,

    /// <summary>Among the four hex digits of a <c>\u</c> escape.</summary>
    StringUnicode,

    /// <summary>After a leading minus sign.</summary>
    NumberMinus,

    /// <summary>After a leading zero.</summary>
    NumberZero,

    /// <summary>In the integer digits.</summary>
    NumberInteger,

    /// <summary>After the decimal point.</summary>
    NumberDot,

    /// <summary>In the fraction digits.</summary>
    NumberFraction,

    /// <summary>After <c>e</c> or <c>E</c>.</summary>
    NumberExponent,

    /// <summary>After the exponent's sign.</summary>
    NumberExponentSign,

    /// <summary>In the exponent digits.</summary>
    NumberExponentDigits,

    /// <summary>Inside <c>true</c>, <c>false</c> or <c>null</c>.</summary>
    Literal,
}
