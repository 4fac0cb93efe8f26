namespace AkashML.Inference.ChatTemplates;

internal delegate bool TemplateTest(Interpreter interpreter, object? value, Arguments arguments);

/// <summary>The Jinja tests (<c>x is defined</c>, <c>x is string</c>, <c>n is divisibleby 3</c>...).</summary>
internal static class TemplateTests
{
    private static readonly Dictionary<string, TemplateTest> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (_, v, _) => v is not Undefined,
        ["undefined"] = (_, v, _) => v is Undefined,
        ["none"] = (_, v, _) => v is null,
        ["boolean"] = (_, v, _) => v is bool,
        ["true"] = (_, v, _) => v is true,
        ["false"] = (_, v, _) => v is false,
        ["string"] = (_, v, _) => v is string,
        ["number"] = (_, v, _) => v is long or double or bool,
        ["integer"] = (_, v, _) => v is long,
        ["float"] = (_, v, _) => v is double,
        ["mapping"] = (_, v, _) => v is TemplateDict,
        ["iterable"] = (_, v, _) => ValueOperations.IsIterable(v),
        ["sequence"] = (_, v, _) => v is string or List<object?> or object?[] or TemplateDict,
        ["callable"] = (_, v, _) => v is TemplateCallable,
        ["sameas"] = (_, v, a) => SameAs(v, a.Get(0, "other")),
        ["escaped"] = (_, _, _) => false,
        ["odd"] = (_, v, _) => ValueOperations.ToLong(v) % 2 != 0,
        ["even"] = (_, v, _) => ValueOperations.ToLong(v) % 2 == 0,
        ["divisibleby"] = (_, v, a) => ValueOperations.ToLong(a.Get(0, "num")) is var n && n != 0 && ValueOperations.ToLong(v) % n == 0,
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["=="] = Equal,
        ["ne"] = (_, v, a) => !ValueOperations.AreEqual(v, a.Get(0, "other")),
        ["!="] = (_, v, a) => !ValueOperations.AreEqual(v, a.Get(0, "other")),
        ["lt"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), "<") < 0,
        ["lessthan"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), "<") < 0,
        ["<"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), "<") < 0,
        ["le"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), "<=") <= 0,
        ["<="] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), "<=") <= 0,
        ["gt"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), ">") > 0,
        ["greaterthan"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), ">") > 0,
        [">"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), ">") > 0,
        ["ge"] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), ">=") >= 0,
        [">="] = (_, v, a) => ValueOperations.Compare(v, a.Get(0, "other"), ">=") >= 0,
        ["in"] = (_, v, a) => ValueOperations.Contains(a.Get(0, "seq"), v),
        ["lower"] = (_, v, _) => v is string s && s.Any(char.IsLetter) && !s.Any(char.IsUpper),
        ["upper"] = (_, v, _) => v is string s && s.Any(char.IsLetter) && !s.Any(char.IsLower),
        ["filter"] = (_, v, _) => v is string name && TemplateFilters.Find(name) is not null,
        ["test"] = (_, v, _) => v is string name && Tests!.ContainsKey(name),
    };

    public static TemplateTest? Find(string name) => Tests.GetValueOrDefault(name);

    private static bool Equal(Interpreter interpreter, object? value, Arguments arguments) =>
        ValueOperations.AreEqual(value, arguments.Get(0, "other"));

    private static bool SameAs(object? value, object? other) => value switch
    {
        null => other is null,
        bool b => other is bool o && o == b,
        Undefined => other is Undefined,
        _ => ReferenceEquals(value, other),
    };
}
