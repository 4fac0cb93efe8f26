namespace AkashML.Inference.ChatTemplates;

/// <summary>Recursive-descent parser from tokens to the template AST, with Jinja's operator precedence.</summary>
internal sealed class TemplateParser
{
    private const int MaxNesting = 200;

    private static readonly HashSet<string> TestArgumentStops = ["else", "or", "and", "if", "is", "in", "not"];

    private readonly List<Token> _tokens;
    private readonly SourceMap _map;
    private int _pos;
    private int _depth;

    private TemplateParser(List<Token> tokens, SourceMap map)
    {
        _tokens = tokens;
        _map = map;
    }

    public static IReadOnlyList<Statement> Parse(List<Token> tokens, SourceMap map)
    {
        var parser = new TemplateParser(tokens, map);
        var (body, _) = parser.ParseBody(null, -1);
        return body;
    }

    private Token Current => _tokens[_pos];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private Token Next()
    {
        var token = _tokens[_pos];
        if (_pos < _tokens.Count - 1)
        {
            _pos++;
        }

        return token;
    }

    private TemplateSyntaxException Error(int offset, string message)
    {
        var (line, column) = _map.Locate(offset);
        return new TemplateSyntaxException(message, line, column);
    }

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.Text => "text",
        _ => $"'{token.Value}'",
    };

    private void ExpectOperator(string op)
    {
        if (!Current.IsOperator(op))
        {
            throw Error(Current.Offset, $"Expected '{op}' but found {Describe(Current)}");
        }

        Next();
    }

    private string ExpectName()
    {
        if (Current.Kind != TokenKind.Name)
        {
            throw Error(Current.Offset, $"Expected a name but found {Describe(Current)}");
        }

        return Next().Value;
    }

    private void ExpectBlockEnd()
    {
        if (Current.Kind != TokenKind.BlockEnd)
        {
            throw Error(Current.Offset, $"Expected '%}}' but found {Describe(Current)}");
        }

        Next();
    }

    /// <summary>
    /// Parses statements until a block tag whose name is one of <paramref name="stops"/>; returns with the position
    /// on that name. Reaching the end of the template inside a block is an error naming the unclosed block.
    /// </summary>
    private (List<Statement> Body, string? Stop) ParseBody(string[]? stops, int openOffset, string? openTag = null)
    {
        var body = new List<Statement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (stops is not null)
                    {
                        throw Error(openOffset, $"Unclosed '{openTag}' block: expected '{{% {stops[^1]} %}}' before the end of the template");
                    }

                    return (body, null);
                case TokenKind.Text:
                    Next();
                    body.Add(new TextStatement(token.Offset, token.Value));
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    var value = ParseTuple(withCondition: true);
                    if (Current.Kind != TokenKind.VariableEnd)
                    {
                        throw Error(Current.Offset, $"Expected '}}}}' but found {Describe(Current)}");
                    }

                    Next();
                    body.Add(new OutputStatement(token.Offset, value));
                    break;
                case TokenKind.BlockBegin:
                    var name = Peek();
                    if (name.Kind != TokenKind.Name)
                    {
                        throw Error(name.Offset, $"Expected a tag name but found {Describe(name)}");
                    }

                    if (stops is not null && Array.IndexOf(stops, name.Value) >= 0)
                    {
                        Next();
                        return (body, name.Value);
                    }

                    Next();
                    body.Add(ParseStatement(token.Offset));
                    break;
                default:
                    throw Error(token.Offset, $"Unexpected {Describe(token)}");
            }
        }
    }

    private Statement ParseStatement(int offset)
    {
        var name = Next();
        switch (name.Value)
        {
            case "if":
                return ParseIf(offset);
            case "for":
                return ParseFor(offset);
            case "set":
                return ParseSet(offset);
            case "macro":
                return ParseMacro(offset);
            case "call":
                return ParseCallBlock(offset);
            case "filter":
                {
                    var filters = ParseFilterChain();
                    ExpectBlockEnd();
                    var body = ParseBlockUntil(["endfilter"], offset, "filter");
                    return new FilterBlockStatement(offset, filters, body);
                }

            case "generation":
                {
                    ExpectBlockEnd();
                    return new ScopeStatement(offset, ParseBlockUntil(["endgeneration"], offset, "generation"));
                }

            case "do":
                {
                    var value = ParseTuple(withCondition: true);
                    ExpectBlockEnd();
                    return new DoStatement(offset, value);
                }

            case "break":
                ExpectBlockEnd();
                return new BreakStatement(offset);
            case "continue":
                ExpectBlockEnd();
                return new ContinueStatement(offset);
            case "elif" or "else" or "endif" or "endfor" or "endset" or "endmacro" or "endcall" or "endfilter" or "endgeneration":
                throw Error(name.Offset, $"Unexpected '{name.Value}' tag: no open block it could close");
            case "block" or "extends" or "include" or "import" or "from" or "with" or "autoescape":
                throw Error(name.Offset, $"The '{name.Value}' tag is not supported in chat templates");
            default:
                throw Error(name.Offset, $"Unknown tag '{name.Value}'");
        }
    }

    private List<Statement> ParseBlockUntil(string[] stops, int offset, string tag)
    {
        var (body, _) = ParseBody(stops, offset, tag);
        Next();
        ExpectBlockEnd();
        return body;
    }

    private IfStatement ParseIf(int offset)
    {
        var branches = new List<IfBranch>();
        List<Statement>? elseBody = null;
        var condition = ParseTuple(withCondition: true);
        ExpectBlockEnd();
        while (true)
        {
            var (body, stop) = ParseBody(["elif", "else", "endif"], offset, "if");
            branches.Add(new IfBranch(condition, body));
            Next();
            if (stop == "elif")
            {
                condition = ParseTuple(withCondition: true);
                ExpectBlockEnd();
                continue;
            }

            ExpectBlockEnd();
            if (stop == "else")
            {
                elseBody = ParseBlockUntil(["endif"], offset, "if");
            }

            return new IfStatement(offset, branches, elseBody);
        }
    }

    private ForStatement ParseFor(int offset)
    {
        var target = ParseAssignTarget(allowAttribute: false);
        if (!Current.IsName("in"))
        {
            throw Error(Current.Offset, $"Expected 'in' but found {Describe(Current)}");
        }

        Next();
        var iterable = ParseTuple(withCondition: false);
        Expression? condition = null;
        if (Current.IsName("if"))
        {
            Next();
            condition = ParseExpression();
        }

        if (Current.IsName("recursive"))
        {
            throw Error(Current.Offset, "Recursive for loops are not supported");
        }

        ExpectBlockEnd();
        var (body, stop) = ParseBody(["else", "endfor"], offset, "for");
        Next();
        ExpectBlockEnd();
        List<Statement>? elseBody = null;
        if (stop == "else")
        {
            elseBody = ParseBlockUntil(["endfor"], offset, "for");
        }

        return new ForStatement(offset, target, iterable, condition, body, elseBody);
    }

    private Statement ParseSet(int offset)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (Current.IsOperator("="))
        {
            Next();
            var value = ParseTuple(withCondition: true);
            ExpectBlockEnd();
            return new SetStatement(offset, target, value);
        }

        var filters = Current.IsOperator("|") ? ParseFilterChain() : [];
        ExpectBlockEnd();
        var body = ParseBlockUntil(["endset"], offset, "set");
        return new SetBlockStatement(offset, target, body, filters);
    }

    private AssignTarget ParseAssignTarget(bool allowAttribute)
    {
        var offset = Current.Offset;
        var parenthesized = Current.IsOperator("(");
        if (parenthesized)
        {
            Next();
        }

        var names = new List<string> { ExpectName() };
        if (allowAttribute && !parenthesized && Current.IsOperator("."))
        {
            Next();
            return new AssignTarget(offset, names, ExpectName());
        }

        var isTuple = parenthesized;
        while (Current.IsOperator(","))
        {
            isTuple = true;
            Next();
            if (Current.Kind != TokenKind.Name)
            {
                break;
            }

            names.Add(ExpectName());
        }

        if (parenthesized)
        {
            ExpectOperator(")");
        }

        return new AssignTarget(offset, names, null) { IsTuple = isTuple };
    }

    private MacroStatement ParseMacro(int offset)
    {
        var name = ExpectName();
        var parameters = ParseParameters();
        ExpectBlockEnd();
        var body = ParseBlockUntil(["endmacro"], offset, "macro");
        return new MacroStatement(offset, name, parameters, body);
    }

    private List<MacroParameter> ParseParameters()
    {
        var parameters = new List<MacroParameter>();
        ExpectOperator("(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            var parameter = ExpectName();
            Expression? defaultValue = null;
            if (Current.IsOperator("="))
            {
                Next();
                defaultValue = ParseExpression();
            }

            parameters.Add(new MacroParameter(parameter, defaultValue));
        }

        Next();
        return parameters;
    }

    private CallBlockStatement ParseCallBlock(int offset)
    {
        var parameters = Current.IsOperator("(") ? ParseParameters() : [];
        var call = ParseExpression();
        if (call is not CallExpression callExpression)
        {
            throw Error(call.Offset, "Expected a macro call after 'call'");
        }

        ExpectBlockEnd();
        var body = ParseBlockUntil(["endcall"], offset, "call");
        return new CallBlockStatement(offset, callExpression, parameters, body);
    }

    private List<FilterExpression> ParseFilterChain()
    {
        var filters = new List<FilterExpression>();
        if (Current.IsOperator("|"))
        {
            Next();
        }

        var placeholder = new LiteralExpression(Current.Offset, null);
        filters.Add(ParseFilter(placeholder));
        while (Current.IsOperator("|"))
        {
            Next();
            filters.Add(ParseFilter(placeholder));
        }

        return filters;
    }

    /// <summary>An expression, or a tuple when commas follow (<c>{% set a = 1, 2 %}</c>).</summary>
    private Expression ParseTuple(bool withCondition)
    {
        var offset = Current.Offset;
        var first = withCondition ? ParseExpression() : ParseOr();
        if (!Current.IsOperator(","))
        {
            return first;
        }

        var items = new List<Expression> { first };
        while (Current.IsOperator(","))
        {
            Next();
            if (Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd || Current.IsOperator(")") || Current.IsName("if"))
            {
                break;
            }

            items.Add(withCondition ? ParseExpression() : ParseOr());
        }

        return new TupleExpression(offset, items);
    }

    private Expression ParseExpression()
    {
        if (++_depth > MaxNesting)
        {
            throw Error(Current.Offset, "Expression nests too deeply");
        }

        var expression = ParseOr();
        while (Current.IsName("if"))
        {
            var offset = Next().Offset;
            var condition = ParseOr();
            Expression? otherwise = null;
            if (Current.IsName("else"))
            {
                Next();
                otherwise = ParseExpression();
            }

            expression = new ConditionalExpression(offset, condition, expression, otherwise);
        }

        _depth--;
        return expression;
    }

    private Expression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var offset = Next().Offset;
            left = new OrExpression(offset, left, ParseAnd());
        }

        return left;
    }

    private Expression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var offset = Next().Offset;
            left = new AndExpression(offset, left, ParseNot());
        }

        return left;
    }

    private Expression ParseNot()
    {
        if (Current.IsName("not"))
        {
            var offset = Next().Offset;
            if (++_depth > MaxNesting)
            {
                throw Error(offset, "Expression nests too deeply");
            }

            var operand = ParseNot();
            _depth--;
            return new UnaryExpression(offset, UnaryOperator.Not, operand);
        }

        return ParseCompare();
    }

    private Expression ParseCompare()
    {
        var offset = Current.Offset;
        var first = ParseMath1();
        List<KeyValuePair<CompareOperator, Expression>>? rest = null;
        while (true)
        {
            CompareOperator op;
            var token = Current;
            if (token.Kind == TokenKind.Operator && token.Value is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                op = token.Value switch
                {
                    "==" => CompareOperator.Equal,
                    "!=" => CompareOperator.NotEqual,
                    "<" => CompareOperator.Less,
                    "<=" => CompareOperator.LessOrEqual,
                    ">" => CompareOperator.Greater,
                    _ => CompareOperator.GreaterOrEqual,
                };
                Next();
            }
            else if (token.IsName("in"))
            {
                op = CompareOperator.In;
                Next();
            }
            else if (token.IsName("not") && Peek().IsName("in"))
            {
                op = CompareOperator.NotIn;
                Next();
                Next();
            }
            else
            {
                break;
            }

            (rest ??= []).Add(new(op, ParseMath1()));
        }

        return rest is null ? first : new CompareExpression(offset, first, rest);
    }

    private Expression ParseMath1()
    {
        var left = ParseConcat();
        while (Current.Kind == TokenKind.Operator && Current.Value is "+" or "-")
        {
            var token = Next();
            left = new BinaryExpression(token.Offset, token.Value == "+" ? BinaryOperator.Add : BinaryOperator.Subtract, left, ParseConcat());
        }

        return left;
    }

    private Expression ParseConcat()
    {
        var offset = Current.Offset;
        var first = ParseMath2();
        if (!Current.IsOperator("~"))
        {
            return first;
        }

        var parts = new List<Expression> { first };
        while (Current.IsOperator("~"))
        {
            Next();
            parts.Add(ParseMath2());
        }

        return new ConcatExpression(offset, parts);
    }

    private Expression ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var token = Next();
            var op = token.Value switch
            {
                "*" => BinaryOperator.Multiply,
                "/" => BinaryOperator.Divide,
                "//" => BinaryOperator.FloorDivide,
                _ => BinaryOperator.Modulo,
            };
            left = new BinaryExpression(token.Offset, op, left, ParsePow());
        }

        return left;
    }

    private Expression ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            var token = Next();
            left = new BinaryExpression(token.Offset, BinaryOperator.Power, left, ParseUnary(withFilter: true));
        }

        return left;
    }

    private Expression ParseUnary(bool withFilter)
    {
        if (++_depth > MaxNesting)
        {
            throw Error(Current.Offset, "Expression nests too deeply");
        }

        Expression node;
        if (Current.IsOperator("-"))
        {
            var offset = Next().Offset;
            node = new UnaryExpression(offset, UnaryOperator.Negate, ParseUnary(withFilter: false));
        }
        else if (Current.IsOperator("+"))
        {
            var offset = Next().Offset;
            node = new UnaryExpression(offset, UnaryOperator.Plus, ParseUnary(withFilter: false));
        }
        else
        {
            node = ParsePostfix(ParsePrimary());
        }

        if (withFilter)
        {
            node = ParseFilterExpression(node);
        }

        _depth--;
        return node;
    }

    private Expression ParseFilterExpression(Expression node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                Next();
                node = ParseFilter(node);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private FilterExpression ParseFilter(Expression target)
    {
        var token = Current;
        var name = ExpectName();
        while (Current.IsOperator(".") && Peek().Kind == TokenKind.Name)
        {
            Next();
            name += "." + Next().Value;
        }

        var filter = TemplateFilters.Find(name) ?? throw Error(token.Offset, $"No filter named '{name}'");
        var arguments = Current.IsOperator("(") ? ParseCallArguments() : CallArguments.Empty;
        return new FilterExpression(token.Offset, target, name, filter, arguments);
    }

    private TestExpression ParseTest(Expression target)
    {
        var offset = Next().Offset;
        var negated = false;
        if (Current.IsName("not"))
        {
            Next();
            negated = true;
        }

        var nameToken = Current;
        var name = ExpectName();
        var test = TemplateTests.Find(name) ?? throw Error(nameToken.Offset, $"No test named '{name}'");
        var arguments = CallArguments.Empty;
        if (Current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if (Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                 || Current.IsOperator("[") || Current.IsOperator("{"))
        {
            if (!(Current.Kind == TokenKind.Name && TestArgumentStops.Contains(Current.Value)))
            {
                arguments = new CallArguments([ParsePostfix(ParsePrimary())], []);
            }
        }

        return new TestExpression(offset, target, name, test, arguments, negated);
    }

    private Expression ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Next();
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpression(token.Offset, true),
                    "false" or "False" => new LiteralExpression(token.Offset, false),
                    "none" or "None" => new LiteralExpression(token.Offset, null),
                    _ => new NameExpression(token.Offset, token.Value),
                };
            case TokenKind.String:
                {
                    Next();
                    var text = (string)token.Literal!;
                    while (Current.Kind == TokenKind.String)
                    {
                        text += (string)Next().Literal!;
                    }

                    return new LiteralExpression(token.Offset, text);
                }

            case TokenKind.Integer:
            case TokenKind.Float:
                Next();
                return new LiteralExpression(token.Offset, token.Literal);
            case TokenKind.Operator when token.Value == "(":
                {
                    Next();
                    if (Current.IsOperator(")"))
                    {
                        Next();
                        return new TupleExpression(token.Offset, []);
                    }

                    var first = ParseExpression();
                    if (Current.IsOperator(")"))
                    {
                        Next();
                        return first;
                    }

                    var items = new List<Expression> { first };
                    while (Current.IsOperator(","))
                    {
                        Next();
                        if (Current.IsOperator(")"))
                        {
                            break;
                        }

                        items.Add(ParseExpression());
                    }

                    ExpectOperator(")");
                    return new TupleExpression(token.Offset, items);
                }

            case TokenKind.Operator when token.Value == "[":
                {
                    Next();
                    var items = new List<Expression>();
                    while (!Current.IsOperator("]"))
                    {
                        if (items.Count > 0)
                        {
                            ExpectOperator(",");
                            if (Current.IsOperator("]"))
                            {
                                break;
                            }
                        }

                        items.Add(ParseExpression());
                    }

                    Next();
                    return new ListExpression(token.Offset, items);
                }

            case TokenKind.Operator when token.Value == "{":
                {
                    Next();
                    var pairs = new List<KeyValuePair<Expression, Expression>>();
                    while (!Current.IsOperator("}"))
                    {
                        if (pairs.Count > 0)
                        {
                            ExpectOperator(",");
                            if (Current.IsOperator("}"))
                            {
                                break;
                            }
                        }

                        var key = ParseExpression();
                        ExpectOperator(":");
                        pairs.Add(new(key, ParseExpression()));
                    }

                    Next();
                    return new DictExpression(token.Offset, pairs);
                }

            default:
                throw Error(token.Offset, $"Unexpected {Describe(token)} in expression");
        }
    }

    private Expression ParsePostfix(Expression node)
    {
        while (true)
        {
            var token = Current;
            if (token.IsOperator("."))
            {
                Next();
                var member = Current;
                if (member.Kind == TokenKind.Name)
                {
                    Next();
                    node = new AttributeExpression(member.Offset, node, member.Value);
                }
                else if (member.Kind == TokenKind.Integer)
                {
                    Next();
                    node = new ItemExpression(member.Offset, node, new LiteralExpression(member.Offset, member.Literal));
                }
                else
                {
                    throw Error(member.Offset, $"Expected an attribute name after '.' but found {Describe(member)}");
                }
            }
            else if (token.IsOperator("["))
            {
                Next();
                node = new ItemExpression(token.Offset, node, ParseSubscript());
                ExpectOperator("]");
            }
            else if (token.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expression ParseSubscript()
    {
        var offset = Current.Offset;
        Expression? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":"))
            {
                return start;
            }
        }

        Next();
        Expression? stop = null;
        Expression? step = null;
        if (!Current.IsOperator("]") && !Current.IsOperator(":"))
        {
            stop = ParseExpression();
        }

        if (Current.IsOperator(":"))
        {
            Next();
            if (!Current.IsOperator("]"))
            {
                step = ParseExpression();
            }
        }

        return new SliceExpression(offset, start, stop, step);
    }

    private CallExpression ParseCall(Expression callee)
    {
        var offset = Current.Offset;
        return new CallExpression(offset, callee, ParseCallArguments());
    }

    private CallArguments ParseCallArguments()
    {
        ExpectOperator("(");
        var positional = new List<Expression>();
        var named = new List<KeyValuePair<string, Expression>>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var name = Next().Value;
                Next();
                named.Add(new(name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0)
                {
                    throw Error(Current.Offset, "Positional argument follows keyword argument");
                }

                positional.Add(ParseExpression());
            }
        }

        Next();
        return new CallArguments(positional, named);
    }
}
