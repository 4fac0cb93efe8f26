using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>Bad templates and bad input: each fails with a specific exception type, a clear message and a position.</summary>
public sealed class TemplateErrorTests
{
    private static readonly Dictionary<string, object?> NoVariables = new(StringComparer.Ordinal);

    [Theory]
    [InlineData("Hello {{ name", "Unclosed tag: '{{' has no matching '}}'", 1, 7)]
    [InlineData("line\n{% if x", "Unclosed tag: '{%' has no matching '%}'", 2, 1)]
    [InlineData("a {# comment", "Unclosed comment", 1, 3)]
    [InlineData("x\n{% if ok %}yes", "Unclosed 'if' block: expected '{% endif %}'", 2, 1)]
    [InlineData("{% for m in messages %}{{ m }}", "Unclosed 'for' block: expected '{% endfor %}'", 1, 1)]
    [InlineData("{% macro f() %}body", "Unclosed 'macro' block: expected '{% endmacro %}'", 1, 1)]
    [InlineData("{% set x %}body", "Unclosed 'set' block: expected '{% endset %}'", 1, 1)]
    [InlineData("line1\n  {{ x | nope }}", "No filter named 'nope'", 2, 10)]
    [InlineData("{% if x is frobbed %}{% endif %}", "No test named 'frobbed'", 1, 12)]
    [InlineData("{% frobnicate %}", "Unknown tag 'frobnicate'", 1, 4)]
    [InlineData("text{% endif %}", "Unexpected 'endif' tag", 1, 8)]
    [InlineData("{{ 'unterminated }}", "Unterminated string literal", 1, 4)]
    [InlineData("{{ 1 + }}", "Unexpected '}}' in expression", 1, 8)]
    [InlineData("{{ a b }}", "Expected '}}' but found 'b'", 1, 6)]
    [InlineData("{{ f(a=1, 2) }}", "Positional argument follows keyword argument", 1, 11)]
    [InlineData("{% for x y %}{% endfor %}", "Expected 'in' but found 'y'", 1, 10)]
    [InlineData("{% raw %}never closed", "Unclosed raw block", 1, 1)]
    [InlineData("{{ x ) }}", "Unexpected ')'", 1, 6)]
    public void Syntax_errors_name_the_problem_and_position(string source, string message, int line, int column)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => ChatTemplate.Parse(source));
        Assert.StartsWith(message, error.Reason, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains($"(line {line}, column {column})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_expressions_are_a_syntax_error_not_a_stack_overflow()
    {
        var source = "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}";
        var error = Assert.Throws<TemplateSyntaxException>(() => ChatTemplate.Parse(source));
        Assert.Contains("nests too deeply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_exception_throws_the_templates_own_message()
    {
        var template = ChatTemplate.Parse(
            "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ m.content }}{% endfor %}");
        var context = new ChatTemplateContext
        {
            Messages = [new Dictionary<string, object?> { ["role"] = "system", ["content"] = "x" }],
        };

        var error = Assert.Throws<TemplateRaisedException>(() => template.Render(context));
        Assert.Equal("System role not supported", error.Message);
        Assert.IsAssignableFrom<TemplateException>(error);
    }

    [Theory]
    [InlineData("{{ 'a' + 1 }}", "unsupported operand type(s) for +: 'str' and 'int'", 1, 8)]
    [InlineData("x\n{% for m in none %}{% endfor %}", "'NoneType' object is not iterable", 2, 13)]
    [InlineData("{% for m in 42 %}{% endfor %}", "'int' object is not iterable", 1, 13)]
    [InlineData("{{ nothing() }}", "'nothing' is undefined and cannot be called", 1, 11)]
    [InlineData("{{ missing + 1 }}", "undefined value used as an operand of '+'", 1, 12)]
    [InlineData("{{ missing | tojson }}", "tojson: Object of type Undefined is not JSON serializable", 1, 14)]
    [InlineData("{{ 1 / 0 }}", "division by zero", 1, 6)]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'", 1, 4)]
    [InlineData("{% set a, b = [1] %}", "not enough values to unpack (expected 2, got 1)", 1, 8)]
    [InlineData("{% set x.y = 1 %}", "Cannot assign attribute 'y': 'x' is not a namespace", 1, 8)]
    [InlineData("{{ range(10000000) | length }}", "range() is limited to 1000000 items in templates", 1, 9)]
    [InlineData("{{ 'x' * 100000000 }}", "result is too large", 1, 8)]
    [InlineData("{{ [1, 2] | join(',', attribute='a') | int + 'b' }}", "unsupported operand type(s) for +: 'int' and 'str'", 1, 44)]
    public void Runtime_errors_name_the_problem_and_position(string source, string message, int line, int column)
    {
        var template = ChatTemplate.Parse(source);
        var error = Assert.Throws<TemplateRuntimeException>(() => template.Render(NoVariables));
        Assert.Equal(message, error.Reason);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Runaway_macro_recursion_is_an_error_not_a_stack_overflow()
    {
        var template = ChatTemplate.Parse("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        var error = Assert.Throws<TemplateRuntimeException>(() => template.Render(NoVariables));
        Assert.Contains("maximum macro call depth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_variable_types_are_rejected_clearly()
    {
        var template = ChatTemplate.Parse("{{ x }}");
        var error = Assert.Throws<ArgumentException>(() => template.Render(new Dictionary<string, object?> { ["x"] = new object() }));
        Assert.Contains("System.Object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_garbage_never_escapes_as_anything_but_a_template_exception()
    {
        // Fragments of template syntax shuffled together: every result must be a render or a TemplateException.
        string[] pieces =
        [
            "{{", "}}", "{%", "%}", "{#", "#}", "-", "+", "if", "for", "in", "endif", "endfor", "set", "=", "x", "'s'",
            "\"", "(", ")", "[", "]", "{", "}", "|", "trim", "is", "defined", "not", "1", "2.5", ",", ".", ":", " ", "\n",
            "macro", "endmacro", "loop", "messages", "~", "*", "/", "//", "%", "**", "else", "elif", "namespace(",
        ];
        var random = new Random(1234);
        var variables = new Dictionary<string, object?> { ["messages"] = new List<object?> { "a", 1 } };
        for (var i = 0; i < 3000; i++)
        {
            var length = random.Next(1, 30);
            var source = string.Concat(Enumerable.Range(0, length).Select(_ => pieces[random.Next(pieces.Length)]));
            try
            {
                ChatTemplate.Parse(source).Render(variables);
            }
            catch (TemplateException)
            {
            }
        }
    }
}
