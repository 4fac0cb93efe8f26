namespace AkashML.Inference.ChatTemplates;

/// <summary>Statement nodes of the template AST.</summary>
internal abstract record Statement(int Offset);

internal sealed record TextStatement(int Offset, string Text) : Statement(Offset);

internal sealed record OutputStatement(int Offset, Expression Value) : Statement(Offset);

internal sealed record IfBranch(Expression Condition, IReadOnlyList<Statement> Body);

internal sealed record IfStatement(int Offset, IReadOnlyList<IfBranch> Branches, IReadOnlyList<Statement>? Else) : Statement(Offset);

/// <summary>An assignment target: one name, a tuple of names, or <c>namespace.attribute</c>.</summary>
internal sealed record AssignTarget(int Offset, IReadOnlyList<string> Names, string? Attribute)
{
    public bool IsTuple { get; init; }
}

internal sealed record ForStatement(
    int Offset,
    AssignTarget Target,
    Expression Iterable,
    Expression? Condition,
    IReadOnlyList<Statement> Body,
    IReadOnlyList<Statement>? Else) : Statement(Offset);

internal sealed record SetStatement(int Offset, AssignTarget Target, Expression Value) : Statement(Offset);

/// <summary><c>{% set x | filters %}body{% endset %}</c>; filters are applied to the rendered body.</summary>
internal sealed record SetBlockStatement(int Offset, AssignTarget Target, IReadOnlyList<Statement> Body, IReadOnlyList<FilterExpression> Filters) : Statement(Offset);

internal sealed record MacroParameter(string Name, Expression? Default);

internal sealed record MacroStatement(int Offset, string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Statement> Body) : Statement(Offset);

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: the macro sees the body as <c>caller()</c>.</summary>
internal sealed record CallBlockStatement(int Offset, CallExpression Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<Statement> Body) : Statement(Offset);

/// <summary><c>{% filter name %}body{% endfilter %}</c>.</summary>
internal sealed record FilterBlockStatement(int Offset, IReadOnlyList<FilterExpression> Filters, IReadOnlyList<Statement> Body) : Statement(Offset);

/// <summary>A block rendered as-is, e.g. transformers' <c>{% generation %}</c> marker.</summary>
internal sealed record ScopeStatement(int Offset, IReadOnlyList<Statement> Body) : Statement(Offset);

internal sealed record DoStatement(int Offset, Expression Value) : Statement(Offset);

internal sealed record BreakStatement(int Offset) : Statement(Offset);

internal sealed record ContinueStatement(int Offset) : Statement(Offset);
