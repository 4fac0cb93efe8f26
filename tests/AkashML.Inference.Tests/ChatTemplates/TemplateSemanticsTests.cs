using System.Text.Json.Nodes;
using AkashML.Inference.ChatTemplates;

namespace AkashML.Inference.Tests.ChatTemplates;

/// <summary>
/// Language semantics, one construct per case. Expected outputs are what Python Jinja 3.1 renders with transformers'
/// settings (trim_blocks, lstrip_blocks, loop controls, its tojson and raise_exception; strftime_now at
/// 2025-01-15 12:00), except one deliberate difference: an attribute or item of an undefined value is undefined
/// here, where Python Jinja raises.
/// </summary>
public sealed class TemplateSemanticsTests
{
    private static readonly Dictionary<string, object?> Variables = new(StringComparer.Ordinal)
    {
        ["messages"] = JsonNode.Parse("""[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]"""),
        ["bos_token"] = "<s>",
        ["eos_token"] = "</s>",
    };

    [Theory]
        [InlineData("a  {%- if true %} b {% endif -%}  c", "a b c")]
        [InlineData("x\n    {% if true %}\n    y\n    {% endif %}\nz", "x\n    y\nz")]
        [InlineData("{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}\n", "1\n2\n")]
        [InlineData("  {{- 'a' -}}  \n  {{ 'b' }}", "ab")]
        [InlineData("a {# note #} b\n  {# own line #}\nc", "a  b\nc")]
        [InlineData("{%+ if true %}x{% endif %}", "x")]
        [InlineData("  {%+ if true %}x{% endif +%}\ny", "  x\ny")]
        [InlineData("line\n{{ 'v' }}\n", "line\nv")]
        [InlineData("{{ true }} {{ none }} {{ 1.0 }} {{ 2.5e-7 }} {{ 1e20 }} {{ [1, 'a', none, true] }} {{ {'k': 'v'} }} {{ ('a',) }}", "True None 1.0 2.5e-07 1e+20 [1, 'a', None, True] {'k': 'v'} ('a',)")]
        [InlineData("{{ 10 / 4 }} {{ 10 // 4 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 + 1.5 }} {{ true + 1 }}", "2.5 2 -4 2 -2 1024 0.5 2.5 2")]
        [InlineData("{{ 'a' ~ 1 ~ none ~ true }}|{{ 'ab' * 3 }}|{{ [1] * 2 }}|{{ [1] + [2] }}", "a1NoneTrue|ababab|[1, 1]|[1, 2]")]
        [InlineData("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'b' > 'a' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ 'a' != 'a' }}", "True False True True True False")]
        [InlineData("{{ 'yes' if none else 'no' }}|{{ 'x' if false }}|{{ not '' }}|{{ [] or 'fallback' }}|{{ 0 and 'never' }}", "no||True|fallback|0")]
        [InlineData("{{ 'hello'[1:3] }}|{{ 'hello'[::-1] }}|{{ [1, 2, 3, 4][::2] }}|{{ [1, 2, 3][-1] }}|{{ [1, 2, 3][5] is defined }}|{{ 'hello'[-2:] }}", "el|olleh|[1, 3]|3|False|lo")]
        [InlineData("{{ 'He said \"hi\"\\n\\ttab \\\\ \\x41\\u00e9' }}", "He said \"hi\"\n\ttab \\ A\u00e9")]
        [InlineData("{{ \"it's\" }}|{{ 'adjacent' ' strings' }}", "it's|adjacent strings")]
        [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }}{{ ',' if not loop.last }}{% endfor %}", "a=1,b=2")]
        [InlineData("{% for x in 'abc' %}{{ loop.revindex0 }}{{ x }}{% endfor %}", "2a1b0c")]
        [InlineData("{% for x in [1, 2, 3, 4, 5] if x is odd %}{{ x }}@{{ loop.index }}/{{ loop.length }} {% endfor %}", "1@1/3 3@2/3 5@3/3 ")]
        [InlineData("{% for x in [] %}never{% else %}empty{% endfor %}", "empty")]
        [InlineData("{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.depth }} {% endfor %}{{ loop.index }};{% endfor %}", "1x1 1y1 1;2x1 2y1 2;")]
        [InlineData("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", "0134")]
        [InlineData("{% set x = 'outer' %}{% for i in [1] %}{% set x = 'inner' %}{{ x }}{% endfor %} {{ x }}", "inner outer")]
        [InlineData("{% for x in [1, 2, 3] %}{{ loop.cycle('odd', 'even') }} {% endfor %}", "odd even odd ")]
        [InlineData("{% for d in {'b': 1, 'a': 2} %}{{ d }}{% endfor %}", "ba")]
        [InlineData("{% for x in undefined_thing %}x{% else %}none{% endfor %}", "none")]
        [InlineData("{% set ns = namespace(total=0) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}", "6")]
        [InlineData("{% set a, b = 'xy' %}{{ b }}{{ a }}|{% set t = 1, 2 %}{{ t }}", "yx|(1, 2)")]
        [InlineData("{% set block | upper %}Hello {{ 'there' }}{% endset %}{{ block }}", "HELLO THERE")]
        [InlineData("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }} {{ greet(name='Cy') }}", "Hi Ann! Hi Bob? Hi Cy!")]
        [InlineData("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}", "120")]
        [InlineData("{% macro list_items(items) %}<ul>{% for i in items %}{{ caller(i) }}{% endfor %}</ul>{% endmacro %}{% call(item) list_items([1, 2]) %}<li>{{ item }}</li>{% endcall %}", "<ul><li>1</li><li>2</li></ul>")]
        [InlineData("{% filter upper %}shout {{ 'this' }}{% endfilter %}", "SHOUT THIS")]
        [InlineData("{% set d = dict(a=1, b=2) %}{{ d | tojson }} {{ dict([('x', 1)]) }}", "{\"a\": 1, \"b\": 2} {'x': 1}")]
        [InlineData("{% raw %}{{ not parsed }}{% endraw %}", "{{ not parsed }}")]
        [InlineData("{% set l = [1] %}{% do l.append(2) %}{{ l }}{% set _ = l.append(3) %}{{ l | length }}", "[1, 2]3")]
        [InlineData("{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) | join(',') }} {{ [{'n': 2}, {'n': 1}] | sort(attribute='n') | map(attribute='n') | join }}", "[1, 2, 3] ['A', 'b', 'c'] 3,2,1 12")]
        [InlineData("{{ 'a b' | length }} {{ [1, 2] | count }} {{ {'a': 1} | length }} {{ x | length }}", "3 2 1 0")]
        [InlineData("{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ [] | first is defined }}", "1 3 a False")]
        [InlineData("{{ 'x' | default('d') }} {{ undefined_var | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ undefined_var | d('short') }}", "x d None d short")]
        [InlineData("{{ '3.9' | int }} {{ 'abc' | int }} {{ 'abc' | int(7) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ 'x' | float }} {{ 4 | float }}", "3 0 7 3 2.5 0.0 4.0")]
        [InlineData("{{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.1 | round(method='ceil') }} {{ -3 | abs }} {{ -2.5 | abs }}", "2.0 3.14 3.0 3 2.5")]
        [InlineData("{{ 'hello world' | title }} {{ 'hELLO wORLD' | capitalize }} {{ 'MiXeD' | lower }} {{ 'MiXeD' | upper }} {{ 'a-b-a' | replace('a', 'x') }} {{ 'aaa' | replace('a', 'b', 2) }}", "Hello World Hello world mixed MIXED x-b-x bba")]
        [InlineData("{{ [1, 2, 3] | join('-') }} {{ [{'a': 'x'}, {'a': 'y'}] | join(',', attribute='a') }} {{ [1, 2] | list }} {{ 'ab' | list }}", "1-2-3 x,y [1, 2] ['a', 'b']")]
        [InlineData("{{ {'b': 1, 'a': 2} | items | list }} {{ {'b': 1, 'a': 2} | dictsort }} {{ [1, 2, 2, 'a', 'A'] | unique | list }}", "[('b', 1), ('a', 2)] [('a', 2), ('b', 1)] [1, 2, 'a']")]
        [InlineData("{{ [1, 2, 3, 4] | select('even') | list }} {{ [1, 2, 3, 4] | reject('divisibleby', 3) | list }} {{ [{'r': 'u', 'c': 1}, {'r': 'a'}] | selectattr('c') | list }} {{ [{'r': 'u'}, {'r': 'a'}] | rejectattr('r', 'equalto', 'u') | list }} {{ [{'r': 'u'}, {'r': 'a'}] | selectattr('r', 'in', ['a', 'b']) | list }}", "[2, 4] [1, 2, 4] [{'r': 'u', 'c': 1}] [{'r': 'a'}] [{'r': 'a'}]")]
        [InlineData("{{ ['a', 'b'] | map('upper') | join }} {{ [{'x': {'y': 1}}] | map(attribute='x.y') | list }} {{ [{}] | map(attribute='q', default='dflt') | list }}", "AB [1] ['dflt']")]
        [InlineData("{{ 'one two  three' | wordcount }} {{ '  a  ' | trim }}|{{ 'xxhixx' | trim('x') }} {{ '<b>' | escape }} {{ '<b>' | safe }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }}", "3 a|hi &lt;b&gt; <b> cba [2, 1]")]
        [InlineData("{{ [1, 2, 3] | sum }} {{ [{'v': 2}, {'v': 3}] | sum(attribute='v') }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ {'a': 1} | string }} {{ 1 | string }}", "6 5 1 3 {'a': 1} 1")]
        [InlineData("{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, first=true) }}|{{ 'a\n\nb' | indent(width='> ', blank=true) }}|{{ 'x\n' | indent }}", "a\n  b\n\n  c|  a\n  b|a\n> \n> b|x\n")]
        [InlineData("{{ {'b': [1, 2.5, none, true, '\u00e9\"\\n'], 'a': {}} | tojson }}", "{\"b\": [1, 2.5, null, true, \"\u00e9\\\"\\n\"], \"a\": {}}")]
        [InlineData("{{ {'b': [1, {'c': []}], 'a': 'x'} | tojson(indent=2) }}", "{\n  \"b\": [\n    1,\n    {\n      \"c\": []\n    }\n  ],\n  \"a\": \"x\"\n}")]
        [InlineData("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ '\u00e9' | tojson(ensure_ascii=true) }} {{ [1, 2] | tojson(separators=(',', ':')) }}", "{\"a\": 2, \"b\": 1} \"\\u00e9\" [1,2]")]
        [InlineData("{{ 'a %s b %d' | format('x', 3) }}", "a x b 3")]
        [InlineData("{{ x is defined }}{{ x is undefined }}{{ none is none }}{{ 1 is number }}{{ 1.0 is integer }}{{ true is integer }}{{ true is boolean }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is sequence }}{{ 'a' is iterable }}{{ 1 is iterable }}{{ 3 is odd }}{{ 4 is even }}{{ 6 is divisibleby 3 }}{{ 6 is divisibleby(4) }}{{ 1 is eq 1 }}{{ 1 is equalto(2) }}{{ 'a' is in 'abc' }}{{ 2 is not in [1] }}{{ true is true }}{{ 0 is false }}{{ 'a' is lower }}{{ 'A' is upper }}{{ 5 is gt 4 }}{{ 5 is le 4 }}{{ none is not none }}", "FalseTrueTrueTrueFalseFalseTrueTrueTrueTrueTrueFalseTrueTrueTrueFalseTrueFalseTrueTrueTrueFalseTrueTrueTrueFalseFalse")]
        [InlineData("{{ ' a '.strip() }}|{{ 'xax'.strip('x') }}|{{ 'a b  c'.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'l1\nl2'.splitlines() }}", "a|a|['a', 'b', 'c']|['a', 'b', '', 'c']|['a', 'b c']|['a b', 'c']|['l1', 'l2']")]
        [InlineData("{{ 'abc'.startswith('a') }}{{ 'abc'.startswith(('x', 'ab')) }}{{ 'abc'.endswith('bc') }}{{ 'abc'.upper() }}{{ 'ABC'.lower() }}{{ 'ab cd'.title() }}{{ 'abc'.capitalize() }}{{ 'aXa'.replace('a', '-') }}{{ 'hello'.find('l') }}{{ 'hello'.count('l') }}{{ '-'.join(['a', 'b']) }}{{ '{} and {}'.format(1, 'two') }}{{ '{x}!'.format(x='y') }}", "TrueTrueTrueABCabcAb CdAbc-X-22a-b1 and twoy!")]
        [InlineData("{% set d = {'a': 1, 'b': none} %}{{ d.get('a') }}{{ d.get('b') }}{{ d.get('c') }}{{ d.get('c', 'dflt') }}{{ d.keys() | list }}{{ d.values() | list }}{{ d['a'] }}{{ d.a }}{{ d.missing is defined }}{{ 'a' in d }}", "1NoneNonedflt['a', 'b'][1, None]11FalseTrue")]
        [InlineData("{% set d = {'items': 'key wins?'} %}{{ d['items'] }}|{{ d.items is defined }}", "key wins?|True")]
        [InlineData("[{{ missing }}][{{ missing.attr }}][{{ missing['k'] }}][{{ missing.attr is defined }}][{{ missing | length }}][{{ missing | default('x') }}]", "[][][][False][0][x]")]
        [InlineData("{{ missing == missing }} {{ missing is none }} {{ none == missing }} {{ 'x' if missing else 'y' }} {{ missing | list }} {{ missing | items | list }}", "True False False y [] []")]
        [InlineData("{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }} {{ strftime_now('%Y-%m-%d %H:%M %a %A %b %B %j %p %y %I') }}", "[0, 1, 2] [1, 4, 7] [5, 3, 1] 2025-01-15 12:00 Wed Wednesday Jan January 015 PM 25 12")]
        [InlineData("{{ messages[0].content }} {{ messages | length }} {{ messages[-1]['role'] }} {{ bos_token ~ eos_token }}", "hi 2 assistant <s></s>")]
    public void Renders_like_python_jinja(string source, string expected)
    {
        var actual = ChatTemplate.Parse(source).Render(Variables, ChatTemplateTestData.FrozenClock);
        Assert.Equal(expected, actual);
    }
}
