namespace AkashML.Inference.ChatTemplates;

/// <summary>Something a template can call: a macro, a built-in function or a bound method.</summary>
internal abstract class TemplateCallable
{
    public abstract string Name { get; }

    public abstract object? Invoke(Interpreter interpreter, Arguments arguments);
}

/// <summary>A built-in global function such as <c>range</c> or <c>raise_exception</c>.</summary>
internal sealed class BuiltinFunction(string name, Func<Interpreter, Arguments, object?> body) : TemplateCallable
{
    public override string Name => name;

    public override object? Invoke(Interpreter interpreter, Arguments arguments) => body(interpreter, arguments);
}

/// <summary>A method looked up on a value (<c>text.strip</c>, <c>dict.items</c>, <c>list.append</c>), called later.</summary>
internal sealed class BoundMethod(object target, string name) : TemplateCallable
{
    public object Target => target;

    public override string Name => name;

    public override object? Invoke(Interpreter interpreter, Arguments arguments) =>
        ValueMethods.TryCall(target, name, arguments, out var result)
            ? result
            : throw new TemplateValueError($"'{PythonFormat.TypeName(target)}' object has no attribute '{name}'");
}
