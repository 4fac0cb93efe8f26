using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>Walks the AST of one template for one render. Not thread-safe; create one per render.</summary>
internal sealed class Interpreter
{
    private const int MaxCallDepth = 200;

    private readonly SourceMap _map;
    private int _callDepth;

    public Interpreter(SourceMap map, TimeProvider timeProvider)
    {
        _map = map;
        TimeProvider = timeProvider;
    }

    public TimeProvider TimeProvider { get; }

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public string Render(IReadOnlyList<Statement> body, Scope root)
    {
        var output = new StringBuilder();
        Execute(body, root, output);
        return output.ToString();
    }

    public TemplateRuntimeException Error(int offset, string message)
    {
        var (line, column) = _map.Locate(offset);
        return new TemplateRuntimeException(message, line, column);
    }

    private Flow Execute(IReadOnlyList<Statement> body, Scope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            var flow = ExecuteOne(statement, scope, output);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow ExecuteOne(Statement statement, Scope scope, StringBuilder output)
    {
        switch (statement)
        {
            case TextStatement text:
                output.Append(text.Text);
                if (output.Length > ValueOperations.MaxBuiltLength)
                {
                    throw Error(text.Offset, "Rendered output is too large");
                }

                return Flow.Normal;
            case OutputStatement print:
                output.Append(PythonFormat.Str(Evaluate(print.Value, scope)));
                if (output.Length > ValueOperations.MaxBuiltLength)
                {
                    throw Error(print.Offset, "Rendered output is too large");
                }

                return Flow.Normal;
            case IfStatement ifStatement:
                foreach (var branch in ifStatement.Branches)
                {
                    if (ValueOperations.IsTruthy(Evaluate(branch.Condition, scope)))
                    {
                        return Execute(branch.Body, scope, output);
                    }
                }

                return ifStatement.Else is null ? Flow.Normal : Execute(ifStatement.Else, scope, output);
            case ForStatement forStatement:
                ExecuteFor(forStatement, scope, output);
                return Flow.Normal;
            case SetStatement set:
                Assign(set.Target, Evaluate(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockStatement setBlock:
                {
                    var captured = new StringBuilder();
                    Execute(setBlock.Body, scope, captured);
                    object? value = captured.ToString();
                    foreach (var filter in setBlock.Filters)
                    {
                        value = ApplyFilter(filter, value, scope);
                    }

                    Assign(setBlock.Target, value, scope);
                    return Flow.Normal;
                }

            case MacroStatement macro:
                scope.Set(macro.Name, new MacroCallable(macro, scope, null));
                return Flow.Normal;
            case CallBlockStatement callBlock:
                {
                    var caller = new MacroCallable(
                        new MacroStatement(callBlock.Offset, "caller", callBlock.CallerParameters, callBlock.Body), scope, null);
                    var callee = Evaluate(callBlock.Call.Callee, scope);
                    if (callee is not MacroCallable macroCallable)
                    {
                        throw Error(callBlock.Offset, "'call' block needs a macro to call");
                    }

                    var arguments = EvaluateArguments(callBlock.Call.Arguments, scope, callBlock.Call.Offset);
                    output.Append(PythonFormat.Str(macroCallable.WithCaller(caller).Invoke(this, arguments)));
                    return Flow.Normal;
                }

            case FilterBlockStatement filterBlock:
                {
                    var captured = new StringBuilder();
                    Execute(filterBlock.Body, scope, captured);
                    object? value = captured.ToString();
                    foreach (var filter in filterBlock.Filters)
                    {
                        value = ApplyFilter(filter, value, scope);
                    }

                    output.Append(PythonFormat.Str(value));
                    return Flow.Normal;
                }

            case ScopeStatement block:
                return Execute(block.Body, scope, output);
            case DoStatement doStatement:
                Evaluate(doStatement.Value, scope);
                return Flow.Normal;
            case BreakStatement:
                return Flow.Break;
            case ContinueStatement:
                return Flow.Continue;
            default:
                throw Error(statement.Offset, $"Unsupported statement {statement.GetType().Name}");
        }
    }

    private void ExecuteFor(ForStatement statement, Scope scope, StringBuilder output)
    {
        var iterable = Evaluate(statement.Iterable, scope);
        if (iterable is null)
        {
            throw Error(statement.Iterable.Offset, "'NoneType' object is not iterable");
        }

        IReadOnlyList<object?> items;
        try
        {
            items = iterable is List<object?> list ? list.ToArray() : ValueOperations.ToList(iterable);
        }
        catch (TemplateValueError error)
        {
            throw Error(statement.Iterable.Offset, error.Message);
        }

        var loopScope = new Scope(scope);
        if (statement.Condition is not null)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                Assign(statement.Target, item, loopScope);
                if (ValueOperations.IsTruthy(Evaluate(statement.Condition, loopScope)))
                {
                    kept.Add(item);
                }
            }

            items = kept;
        }

        if (items.Count == 0)
        {
            if (statement.Else is not null)
            {
                Execute(statement.Else, scope, output);
            }

            return;
        }

        // loop.depth counts recursive-loop levels only; plain nested loops are all depth 1, as in Jinja.
        var loop = new LoopContext(items, 1);
        loopScope.Set("loop", loop);
        for (var i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            Assign(statement.Target, items[i], loopScope);
            if (Execute(statement.Body, loopScope, output) == Flow.Break)
            {
                break;
            }
        }
    }

    private void Assign(AssignTarget target, object? value, Scope scope)
    {
        if (target.Attribute is not null)
        {
            if (!scope.TryGet(target.Names[0], out var holder) || holder is not TemplateNamespace ns)
            {
                throw Error(target.Offset, $"Cannot assign attribute '{target.Attribute}': '{target.Names[0]}' is not a namespace");
            }

            ns.Attributes[target.Attribute] = value;
            return;
        }

        if (!target.IsTuple)
        {
            scope.Set(target.Names[0], value);
            return;
        }

        if (value is not (List<object?> or object?[] or string))
        {
            throw Error(target.Offset, $"cannot unpack non-sequence '{PythonFormat.TypeName(value)}'");
        }

        var items = ValueOperations.ToList(value);
        if (items.Count != target.Names.Count)
        {
            throw Error(
                target.Offset,
                items.Count < target.Names.Count
                    ? $"not enough values to unpack (expected {target.Names.Count}, got {items.Count})"
                    : $"too many values to unpack (expected {target.Names.Count})");
        }

        for (var i = 0; i < items.Count; i++)
        {
            scope.Set(target.Names[i], items[i]);
        }
    }

    public object? Evaluate(Expression expression, Scope scope)
    {
        try
        {
            return EvaluateCore(expression, scope);
        }
        catch (TemplateValueError error)
        {
            throw Error(expression.Offset, error.Message);
        }
        catch (Exception error) when (error is InvalidCastException or ArgumentException or OverflowException or FormatException or IndexOutOfRangeException)
        {
            // Defensive: a .NET library error inside a value operation still surfaces as a template error with a position.
            throw Error(expression.Offset, error.Message);
        }
    }

    private object? EvaluateCore(Expression expression, Scope scope)
    {
        switch (expression)
        {
            case LiteralExpression literal:
                return literal.Value;
            case NameExpression name:
                if (scope.TryGet(name.Name, out var value))
                {
                    return value;
                }

                return TemplateGlobals.Find(name.Name) ?? (object)Undefined.Instance;
            case AttributeExpression attribute:
                return ValueOperations.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);
            case ItemExpression item:
                {
                    var target = Evaluate(item.Target, scope);
                    if (item.Index is SliceExpression slice)
                    {
                        return ValueOperations.Slice(
                            target,
                            slice.Start is null ? null : Evaluate(slice.Start, scope),
                            slice.Stop is null ? null : Evaluate(slice.Stop, scope),
                            slice.Step is null ? null : Evaluate(slice.Step, scope));
                    }

                    return ValueOperations.GetItem(target, Evaluate(item.Index, scope));
                }

            case ListExpression list:
                {
                    var result = new List<object?>(list.Items.Count);
                    foreach (var itemExpression in list.Items)
                    {
                        result.Add(Evaluate(itemExpression, scope));
                    }

                    return result;
                }

            case TupleExpression tuple:
                {
                    var result = new object?[tuple.Items.Count];
                    for (var i = 0; i < result.Length; i++)
                    {
                        result[i] = Evaluate(tuple.Items[i], scope);
                    }

                    return result;
                }

            case DictExpression dict:
                {
                    var result = new TemplateDict(dict.Pairs.Count);
                    foreach (var pair in dict.Pairs)
                    {
                        var key = Evaluate(pair.Key, scope);
                        if (key is null or Undefined or List<object?> or TemplateDict)
                        {
                            throw Error(pair.Key.Offset, $"unhashable or unsupported dict key of type '{PythonFormat.TypeName(key)}'");
                        }

                        result[key] = Evaluate(pair.Value, scope);
                    }

                    return result;
                }

            case CallExpression call:
                return EvaluateCall(call, scope);
            case FilterExpression filter:
                return ApplyFilter(filter, Evaluate(filter.Target, scope), scope);
            case TestExpression test:
                {
                    var target = Evaluate(test.Target, scope);
                    var arguments = EvaluateArguments(test.Arguments, scope, test.Offset);
                    return test.Test(this, target, arguments) != test.Negated;
                }

            case UnaryExpression unary:
                {
                    var operand = Evaluate(unary.Operand, scope);
                    return unary.Operator switch
                    {
                        UnaryOperator.Not => !ValueOperations.IsTruthy(operand),
                        UnaryOperator.Negate => ValueOperations.Negate(operand),
                        _ => ValueOperations.IsNumber(operand) ? operand is bool b ? (b ? 1L : 0L) : operand
                            : throw new TemplateValueError($"bad operand type for unary +: '{PythonFormat.TypeName(operand)}'"),
                    };
                }

            case BinaryExpression binary:
                return ValueOperations.Binary(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope));
            case AndExpression and:
                {
                    var left = Evaluate(and.Left, scope);
                    return ValueOperations.IsTruthy(left) ? Evaluate(and.Right, scope) : left;
                }

            case OrExpression or:
                {
                    var left = Evaluate(or.Left, scope);
                    return ValueOperations.IsTruthy(left) ? left : Evaluate(or.Right, scope);
                }

            case ConcatExpression concat:
                {
                    var builder = new StringBuilder();
                    foreach (var part in concat.Parts)
                    {
                        builder.Append(PythonFormat.Str(Evaluate(part, scope)));
                    }

                    return builder.ToString();
                }

            case CompareExpression compare:
                return EvaluateCompare(compare, scope);
            case ConditionalExpression conditional:
                if (ValueOperations.IsTruthy(Evaluate(conditional.Condition, scope)))
                {
                    return Evaluate(conditional.Then, scope);
                }

                return conditional.Otherwise is null ? Undefined.Instance : Evaluate(conditional.Otherwise, scope);
            case SliceExpression:
                throw new TemplateValueError("a slice is only valid inside '[...]'");
            default:
                throw new TemplateValueError($"unsupported expression {expression.GetType().Name}");
        }
    }

    private bool EvaluateCompare(CompareExpression compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, rightExpression) in compare.Rest)
        {
            var right = Evaluate(rightExpression, scope);
            var holds = op switch
            {
                CompareOperator.Equal => ValueOperations.AreEqual(left, right),
                CompareOperator.NotEqual => !ValueOperations.AreEqual(left, right),
                CompareOperator.Less => ValueOperations.Compare(left, right, "<") < 0,
                CompareOperator.LessOrEqual => ValueOperations.Compare(left, right, "<=") <= 0,
                CompareOperator.Greater => ValueOperations.Compare(left, right, ">") > 0,
                CompareOperator.GreaterOrEqual => ValueOperations.Compare(left, right, ">=") >= 0,
                CompareOperator.In => ValueOperations.Contains(right, left),
                CompareOperator.NotIn => !ValueOperations.Contains(right, left),
                _ => false,
            };
            if (!holds)
            {
                return false;
            }

            left = right;
        }

        return true;
    }

    private object? EvaluateCall(CallExpression call, Scope scope)
    {
        var callee = Evaluate(call.Callee, scope);
        if (callee is not TemplateCallable callable)
        {
            var what = call.Callee switch
            {
                NameExpression name => $"'{name.Name}'",
                AttributeExpression attribute => $"'{attribute.Name}'",
                _ => "the expression",
            };
            throw new TemplateValueError(callee is Undefined ? $"{what} is undefined and cannot be called" : $"{what} is not callable");
        }

        return callable.Invoke(this, EvaluateArguments(call.Arguments, scope, call.Offset));
    }

    private Arguments EvaluateArguments(CallArguments arguments, Scope scope, int offset)
    {
        if (arguments.Positional.Count == 0 && arguments.Named.Count == 0)
        {
            return new Arguments([], [], offset);
        }

        var positional = new List<object?>(arguments.Positional.Count);
        foreach (var argument in arguments.Positional)
        {
            positional.Add(Evaluate(argument, scope));
        }

        var named = new List<KeyValuePair<string, object?>>(arguments.Named.Count);
        foreach (var (name, argument) in arguments.Named)
        {
            named.Add(new(name, Evaluate(argument, scope)));
        }

        return new Arguments(positional, named, offset);
    }

    private object? ApplyFilter(FilterExpression filter, object? value, Scope scope)
    {
        var arguments = EvaluateArguments(filter.Arguments, scope, filter.Offset);
        try
        {
            return filter.Filter(this, value, arguments);
        }
        catch (TemplateValueError error)
        {
            throw Error(filter.Offset, $"{filter.Name}: {error.Message}");
        }
    }

    /// <summary>Applies a filter by name at run time (for <c>map('upper')</c>).</summary>
    public object? ApplyFilter(string name, object? value, Arguments arguments)
    {
        var filter = TemplateFilters.Find(name) ?? throw new TemplateValueError($"No filter named '{name}'");
        return filter(this, value, arguments);
    }

    /// <summary>Applies a test by name at run time (for <c>select('odd')</c>, <c>selectattr('x', 'equalto', 1)</c>).</summary>
    public bool ApplyTest(string name, object? value, Arguments arguments)
    {
        var test = TemplateTests.Find(name) ?? throw new TemplateValueError($"No test named '{name}'");
        return test(this, value, arguments);
    }

    /// <summary>A macro defined in the template; calling it renders its body and returns the text.</summary>
    private sealed class MacroCallable(MacroStatement macro, Scope closure, MacroCallable? caller) : TemplateCallable
    {
        public override string Name => macro.Name;

        public MacroCallable WithCaller(MacroCallable newCaller) => new(macro, closure, newCaller);

        public override object? Invoke(Interpreter interpreter, Arguments arguments)
        {
            if (++interpreter._callDepth > MaxCallDepth)
            {
                interpreter._callDepth = 0;
                throw new TemplateValueError($"maximum macro call depth ({MaxCallDepth}) exceeded in '{macro.Name}'");
            }

            try
            {
                var scope = new Scope(closure);
                var parameters = macro.Parameters;
                var extra = new List<object?>();
                for (var i = 0; i < arguments.Positional.Count; i++)
                {
                    if (i < parameters.Count)
                    {
                        scope.Set(parameters[i].Name, arguments.Positional[i]);
                    }
                    else
                    {
                        extra.Add(arguments.Positional[i]);
                    }
                }

                var kwargs = new TemplateDict();
                foreach (var (name, value) in arguments.Named)
                {
                    if (parameters.Any(p => p.Name == name))
                    {
                        scope.Set(name, value);
                    }
                    else
                    {
                        kwargs[name] = value;
                    }
                }

                for (var i = arguments.Positional.Count; i < parameters.Count; i++)
                {
                    var parameter = parameters[i];
                    if (!arguments.Named.Any(p => p.Key == parameter.Name))
                    {
                        scope.Set(parameter.Name, parameter.Default is null ? Undefined.Instance : interpreter.Evaluate(parameter.Default, scope));
                    }
                }

                scope.Set("varargs", extra);
                scope.Set("kwargs", kwargs);
                if (caller is not null)
                {
                    scope.Set("caller", caller);
                }

                var output = new StringBuilder();
                interpreter.Execute(macro.Body, scope, output);
                return output.ToString();
            }
            finally
            {
                if (interpreter._callDepth > 0)
                {
                    interpreter._callDepth--;
                }
            }
        }
    }
}
