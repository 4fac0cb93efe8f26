namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// A JSON pushdown recogniser advanced one character at a time; every state it accepts is a prefix of some valid
/// JSON object, so generation guided by it can always be finished. Small and copyable, so a token can be tried on a
/// copy: the container stack is split into a committed part (shared, read-only here) and the containers a trial
/// pushes (caller-provided scratch), which makes a trial cost nothing to undo.
/// </summary>
/// <remarks>
/// Beyond the grammar it refuses <c>\u</c> escapes that would leave an unpaired UTF-16 surrogate, nesting deeper
/// than a limit, and whitespace runs longer than a limit (a model stuck emitting newlines would otherwise never end).
/// </remarks>
internal struct JsonScanState
{
    public const byte ObjectContainer = 1;
    public const byte ArrayContainer = 2;

    private const byte HexFirstDigitD = 1;
    private const byte HexHighSurrogate = 2;

    private static readonly string[] Literals = ["true", "false", "null"];

    private byte _literal;
    private byte _literalPosition;
    private byte _hexDigits;
    private byte _hexKind;
    private bool _inKey;
    private bool _lowSurrogatePending;
    private int _whitespaceRun;

    public JsonScanMode Mode { get; private set; }

    /// <summary>Containers open in the committed stack.</summary>
    public int CommittedDepth { get; set; }

    /// <summary>Containers this trial opened, held in the scratch stack.</summary>
    public int PushedDepth { get; set; }

    /// <summary>Consecutive whitespace characters just read outside strings.</summary>
    public readonly int WhitespaceRun => _whitespaceRun;

    /// <summary>True inside a string where any character but a quote, backslash or control character is fine.</summary>
    public readonly bool IsInPlainString => Mode == JsonScanMode.String && !_lowSurrogatePending;

    /// <summary>Consumes one character; false (and the state is then meaningless) if it cannot follow.</summary>
    public bool Step(char c, ReadOnlySpan<byte> committed, Span<byte> pushed, int maxDepth, int maxWhitespaceRun)
    {
        switch (Mode)
        {
            case JsonScanMode.String:
                return StepString(c);
            case JsonScanMode.StringEscape:
                return StepEscape(c);
            case JsonScanMode.StringUnicode:
                return StepHexDigit(c);
            case JsonScanMode.Literal:
                return StepLiteral(c);
            case JsonScanMode.NumberMinus:
                return StepDigitRequired(c, c == '0' ? JsonScanMode.NumberZero : JsonScanMode.NumberInteger);
            case JsonScanMode.NumberDot:
                return StepDigitRequired(c, JsonScanMode.NumberFraction);
            case JsonScanMode.NumberExponentSign:
                return StepDigitRequired(c, JsonScanMode.NumberExponentDigits);
            case JsonScanMode.NumberExponent:
                if (c is '+' or '-')
                {
                    Mode = JsonScanMode.NumberExponentSign;
                    return true;
                }

                return StepDigitRequired(c, JsonScanMode.NumberExponentDigits);
            case JsonScanMode.NumberZero:
            case JsonScanMode.NumberInteger:
            case JsonScanMode.NumberFraction:
            case JsonScanMode.NumberExponentDigits:
                if (StepNumberContinuation(c))
                {
                    return true;
                }

                // Any other character ends the number and is read as what follows a value.
                Mode = JsonScanMode.AfterValue;
                break;
            default:
                break;
        }

        return StepStructural(c, committed, pushed, maxDepth, maxWhitespaceRun);
    }

    private bool StepStructural(char c, ReadOnlySpan<byte> committed, Span<byte> pushed, int maxDepth, int maxWhitespaceRun)
    {
        if (c is ' ' or '\t' or '\n' or '\r')
        {
            _whitespaceRun++;
            return _whitespaceRun <= maxWhitespaceRun;
        }

        _whitespaceRun = 0;
        switch (Mode)
        {
            case JsonScanMode.Start:
                return c == '{' && Push(ObjectContainer, JsonScanMode.ObjectKeyOrEnd, pushed, maxDepth);
            case JsonScanMode.ObjectKeyOrEnd:
                if (c == '}')
                {
                    Close();
                    return true;
                }

                return BeginKey(c);
            case JsonScanMode.ObjectKey:
                return BeginKey(c);
            case JsonScanMode.Colon:
                if (c != ':')
                {
                    return false;
                }

                Mode = JsonScanMode.Value;
                return true;
            case JsonScanMode.ArrayValueOrEnd:
                if (c == ']')
                {
                    Close();
                    return true;
                }

                return BeginValue(c, pushed, maxDepth);
            case JsonScanMode.Value:
                return BeginValue(c, pushed, maxDepth);
            case JsonScanMode.AfterValue:
                var top = Top(committed, pushed);
                if (c == ',')
                {
                    Mode = top == ObjectContainer ? JsonScanMode.ObjectKey : JsonScanMode.Value;
                    return true;
                }

                if ((c == '}' && top == ObjectContainer) || (c == ']' && top == ArrayContainer))
                {
                    Close();
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    private bool BeginKey(char c)
    {
        if (c != '"')
        {
            return false;
        }

        Mode = JsonScanMode.String;
        _inKey = true;
        return true;
    }

    private bool BeginValue(char c, Span<byte> pushed, int maxDepth)
    {
        switch (c)
        {
            case '"':
                Mode = JsonScanMode.String;
                _inKey = false;
                return true;
            case '{':
                return Push(ObjectContainer, JsonScanMode.ObjectKeyOrEnd, pushed, maxDepth);
            case '[':
                return Push(ArrayContainer, JsonScanMode.ArrayValueOrEnd, pushed, maxDepth);
            case '-':
                Mode = JsonScanMode.NumberMinus;
                return true;
            case '0':
                Mode = JsonScanMode.NumberZero;
                return true;
            case >= '1' and <= '9':
                Mode = JsonScanMode.NumberInteger;
                return true;
            case 't':
                return BeginLiteral(0);
            case 'f':
                return BeginLiteral(1);
            case 'n':
                return BeginLiteral(2);
            default:
                return false;
        }
    }

    private bool BeginLiteral(byte literal)
    {
        Mode = JsonScanMode.Literal;
        _literal = literal;
        _literalPosition = 1;
        return true;
    }

    private bool StepLiteral(char c)
    {
        var text = Literals[_literal];
        if (c != text[_literalPosition])
        {
            return false;
        }

        _literalPosition++;
        if (_literalPosition == text.Length)
        {
            Mode = JsonScanMode.AfterValue;
        }

        return true;
    }

    private bool StepDigitRequired(char c, JsonScanMode next)
    {
        if (!char.IsAsciiDigit(c))
        {
            return false;
        }

        Mode = next;
        return true;
    }

    private bool StepNumberContinuation(char c)
    {
        if (char.IsAsciiDigit(c))
        {
            // A leading zero takes no further digits.
            return Mode != JsonScanMode.NumberZero;
        }

        if (c == '.' && Mode is JsonScanMode.NumberZero or JsonScanMode.NumberInteger)
        {
            Mode = JsonScanMode.NumberDot;
            return true;
        }

        if (c is 'e' or 'E' && Mode != JsonScanMode.NumberExponentDigits)
        {
            Mode = JsonScanMode.NumberExponent;
            return true;
        }

        return false;
    }

    private bool StepString(char c)
    {
        if (_lowSurrogatePending)
        {
            // A high-surrogate escape must be followed at once by a low-surrogate escape.
            if (c != '\\')
            {
                return false;
            }

            Mode = JsonScanMode.StringEscape;
            return true;
        }

        switch (c)
        {
            case '"':
                Mode = _inKey ? JsonScanMode.Colon : JsonScanMode.AfterValue;
                return true;
            case '\\':
                Mode = JsonScanMode.StringEscape;
                return true;
            default:
                return c >= ' ';
        }
    }

    private bool StepEscape(char c)
    {
        if (c == 'u')
        {
            Mode = JsonScanMode.StringUnicode;
            _hexDigits = 0;
            _hexKind = 0;
            return true;
        }

        if (_lowSurrogatePending || c is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't'))
        {
            return false;
        }

        Mode = JsonScanMode.String;
        return true;
    }

    // Surrogates are decided by the first two digits: D8–DB high, DC–DF low.
    private bool StepHexDigit(char c)
    {
        if (!char.IsAsciiHexDigit(c))
        {
            return false;
        }

        var isD = c is 'd' or 'D';
        switch (_hexDigits)
        {
            case 0:
                if (_lowSurrogatePending && !isD)
                {
                    return false;
                }

                _hexKind = isD ? HexFirstDigitD : (byte)0;
                break;
            case 1 when _hexKind == HexFirstDigitD:
                var isLowRange = c is >= 'c' and <= 'f' or >= 'C' and <= 'F';
                var isHighRange = c is >= '8' and <= '9' or 'a' or 'A' or 'b' or 'B';
                if (_lowSurrogatePending != isLowRange)
                {
                    return false;
                }

                _hexKind = isHighRange ? HexHighSurrogate : (byte)0;
                break;
            default:
                break;
        }

        _hexDigits++;
        if (_hexDigits == 4)
        {
            Mode = JsonScanMode.String;
            _lowSurrogatePending = _hexKind == HexHighSurrogate;
        }

        return true;
    }

    private bool Push(byte container, JsonScanMode next, Span<byte> pushed, int maxDepth)
    {
        if (CommittedDepth + PushedDepth >= maxDepth)
        {
            return false;
        }

        pushed[PushedDepth++] = container;
        Mode = next;
        return true;
    }

    private void Close()
    {
        if (PushedDepth > 0)
        {
            PushedDepth--;
        }
        else
        {
            CommittedDepth--;
        }

        Mode = CommittedDepth + PushedDepth == 0 ? JsonScanMode.Done : JsonScanMode.AfterValue;
    }

    private readonly byte Top(ReadOnlySpan<byte> committed, Span<byte> pushed) =>
        PushedDepth > 0 ? pushed[PushedDepth - 1] : CommittedDepth > 0 ? committed[CommittedDepth - 1] : (byte)0;
}
