namespace AkashML.Inference.ChatTemplates;

internal enum TokenKind
{
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

/// <summary>One lexical token; <see cref="Offset"/> is its position in the normalized source.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, int Offset, object? Literal = null)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string name) => Kind == TokenKind.Name && Value == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && Value == op;
}
