namespace AkashML.Inference.ChatTemplates;

/// <summary>Expression nodes of the template AST. <c>Offset</c> points into the source for error messages.</summary>
internal abstract record Expression(int Offset);

internal sealed record LiteralExpression(int Offset, object? Value) : Expression(Offset);

internal sealed record NameExpression(int Offset, string Name) : Expression(Offset);

internal sealed record ListExpression(int Offset, IReadOnlyList<Expression> Items) : Expression(Offset);

internal sealed record TupleExpression(int Offset, IReadOnlyList<Expression> Items) : Expression(Offset);

internal sealed record DictExpression(int Offset, IReadOnlyList<KeyValuePair<Expression, Expression>> Pairs) : Expression(Offset);

/// <summary><c>target.name</c>: methods and attributes first, then items (Jinja's getattr).</summary>
internal sealed record AttributeExpression(int Offset, Expression Target, string Name) : Expression(Offset);

/// <summary><c>target[index]</c>: items first, then attributes (Jinja's getitem).</summary>
internal sealed record ItemExpression(int Offset, Expression Target, Expression Index) : Expression(Offset);

internal sealed record SliceExpression(int Offset, Expression? Start, Expression? Stop, Expression? Step) : Expression(Offset);

internal sealed record CallArguments(IReadOnlyList<Expression> Positional, IReadOnlyList<KeyValuePair<string, Expression>> Named)
{
    public static readonly CallArguments Empty = new([], []);
}

internal sealed record CallExpression(int Offset, Expression Callee, CallArguments Arguments) : Expression(Offset);

/// <summary><c>target | name(args)</c>; <see cref="Filter"/> is resolved when parsing so unknown filters fail early.</summary>
internal sealed record FilterExpression(int Offset, Expression Target, string Name, TemplateFilter Filter, CallArguments Arguments) : Expression(Offset);

/// <summary><c>target is [not] name args</c>.</summary>
internal sealed record TestExpression(int Offset, Expression Target, string Name, TemplateTest Test, CallArguments Arguments, bool Negated) : Expression(Offset);

internal enum UnaryOperator
{
    Not,
    Negate,
    Plus,
}

internal sealed record UnaryExpression(int Offset, UnaryOperator Operator, Expression Operand) : Expression(Offset);

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
    Power,
}

internal sealed record BinaryExpression(int Offset, BinaryOperator Operator, Expression Left, Expression Right) : Expression(Offset);

internal sealed record AndExpression(int Offset, Expression Left, Expression Right) : Expression(Offset);

internal sealed record OrExpression(int Offset, Expression Left, Expression Right) : Expression(Offset);

/// <summary><c>a ~ b ~ c</c>: string concatenation of the values' string forms.</summary>
internal sealed record ConcatExpression(int Offset, IReadOnlyList<Expression> Parts) : Expression(Offset);

internal enum CompareOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    NotIn,
}

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c> (Python semantics: each pair must hold).</summary>
internal sealed record CompareExpression(int Offset, Expression First, IReadOnlyList<KeyValuePair<CompareOperator, Expression>> Rest) : Expression(Offset);

/// <summary><c>then if condition else otherwise</c>; a missing else yields undefined.</summary>
internal sealed record ConditionalExpression(int Offset, Expression Condition, Expression Then, Expression? Otherwise) : Expression(Offset);
