// Renders chat templates with Hugging Face's reference Jinja implementation (@huggingface/jinja) and writes
// <out-dir>/template-reference.json for tests/AkashML.Inference.Tests (ChatTemplates/ReferenceRenderTests).
//
//   npm ci --prefix tests/reference
//   node tests/reference/render-templates.mjs <out-dir>
//
// Templates: the real ones in shared/chat_templates (found via AKASHML_SHARED_DIR or a `shared` folder beside the
// repository), those in shared/models/*/tokenizer_config.json, and the feature templates below. Each is rendered
// with several conversations, with add_generation_prompt both ways. The clock is frozen at 2025-01-15 12:00 UTC so
// strftime_now is reproducible. A render that fails is recorded with its error.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

process.env.TZ = "UTC";
const FROZEN = Date.UTC(2025, 0, 15, 12, 0, 0);
const RealDate = Date;
globalThis.Date = class extends RealDate {
	constructor(...args) {
		if (args.length === 0) {
			super(FROZEN);
		} else {
			super(...args);
		}
	}

	static now() {
		return FROZEN;
	}
};

const { Template } = await import("@huggingface/jinja");
const jinjaVersion = JSON.parse(
	fs.readFileSync(new URL("./node_modules/@huggingface/jinja/package.json", import.meta.url), "utf8"),
).version;

const outDir = process.argv[2];
if (!outDir) {
	console.error("usage: node render-templates.mjs <out-dir>");
	process.exit(2);
}

function findShared() {
	// When set, the variable is the only place looked at: a path that does not exist means no shared folder.
	const named = process.env.AKASHML_SHARED_DIR;
	if (named) {
		return fs.existsSync(path.join(named, "chat_templates")) ? named : null;
	}
	let dir = path.dirname(fileURLToPath(import.meta.url));
	for (;;) {
		const candidate = path.join(dir, "shared");
		if (fs.existsSync(path.join(candidate, "chat_templates"))) {
			return candidate;
		}
		const parent = path.dirname(dir);
		if (parent === dir) {
			return null;
		}
		dir = parent;
	}
}

// Tools use only scalar parameter types: for array schemas Python reads `spec.items` as the dict method while the
// JS reference reads the key, a known divergence outside what this comparison is for.
const tools = [
	{
		type: "function",
		function: {
			name: "get_weather",
			description: "Get the current weather for a city",
			parameters: {
				type: "object",
				properties: {
					city: { type: "string", description: "City name" },
					unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "Temperature unit" },
				},
				required: ["city"],
			},
		},
	},
	{
		type: "function",
		function: {
			name: "add",
			description: "Add two integers",
			parameters: {
				type: "object",
				properties: {
					a: { type: "integer", description: "First addend" },
					b: { type: "integer", description: "Second addend" },
					exact: { type: "boolean", description: "Whether to be exact" },
				},
				required: ["a", "b"],
			},
		},
	},
];

const conversations = {
	single_user: { messages: [{ role: "user", content: "Hi there" }] },
	multi_turn: {
		messages: [
			{ role: "user", content: "Hello! What is 2+2?" },
			{ role: "assistant", content: "2+2 equals 4." },
			{ role: "user", content: "And 3+3?" },
		],
	},
	system_multi_turn: {
		messages: [
			{ role: "system", content: "You are a terse assistant." },
			{ role: "user", content: "Name a colour." },
			{ role: "assistant", content: "Blue." },
			{ role: "user", content: "Another one, with unicode: caf\u00e9 \u2014 \u65e5\u672c \ud83d\ude00" },
		],
	},
	tools: {
		needs: "tools",
		tools,
		messages: [
			{ role: "system", content: "You can call tools." },
			{ role: "user", content: "What's the weather in Paris?" },
		],
	},
	tool_call_round_trip: {
		needs: "tool_calls",
		tools,
		messages: [
			{ role: "user", content: "What's the weather in Paris?" },
			{
				role: "assistant",
				content: "",
				tool_calls: [
					{
						id: "call0A1b2",
						type: "function",
						function: { name: "get_weather", arguments: { city: "Paris", unit: "celsius" } },
					},
				],
			},
			{ role: "tool", tool_call_id: "call0A1b2", name: "get_weather", content: '{"temperature": 21, "sky": "clear"}' },
			{ role: "assistant", content: "It is 21 degrees and clear in Paris." },
			{ role: "user", content: "Thanks!" },
		],
	},
	// OpenAI's wire format: arguments as a JSON string.
	tool_call_string_arguments: {
		needs: "tool_calls",
		tools,
		messages: [
			{ role: "system", content: "Use tools when needed." },
			{ role: "user", content: "Add 2 and 40." },
			{
				role: "assistant",
				content: null,
				tool_calls: [{ id: "Xy7Zq2W9p", type: "function", function: { name: "add", arguments: '{"a": 2, "b": 40}' } }],
			},
			{ role: "tool", tool_call_id: "Xy7Zq2W9p", name: "add", content: "42" },
		],
	},
};

// Feature templates: constructs real templates use, in forms where Python Jinja and the JS reference agree.
const features = {
	"feature-loop": `{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ loop.index0 }}:{{ loop.revindex }}:{{ loop.revindex0 }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}{% if loop.previtem is defined %} prev={{ loop.previtem.role }}{% endif %}{% if loop.nextitem is defined %} next={{ loop.nextitem.role }}{% endif %}
{% endfor %}{% for m in messages if m.role == 'user' %}[{{ loop.index }}:{{ m.content }}]{% else %}none{% endfor %}{% for x in [] %}x{% else %} empty{% endfor %}`,
	"feature-whitespace": `{% for m in messages %}
    {% if m.role == 'user' %}
        U: {{ m.content }}
    {% else %}
        A: {{ m.content }}
    {% endif %}
{% endfor %}
{#- comment -#}
  {{- '|' -}}
  {%- if add_generation_prompt %}  GEN  {% endif -%}
   {{ 'end' }}
`,
	"feature-filters": `{{ messages | length }}|{{ messages | map(attribute='role') | join(',') }}|{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | first }}|{{ messages | rejectattr('role', 'equalto', 'user') | list | length }}|{{ (messages | last).content | upper }}|{{ '  pad  ' | trim }}|{{ 'hello world' | title }}|{{ 'a-b-c' | replace('-', '+') }}|{{ [3, 1, 2] | sort | join(' ') }}|{{ [1, 2, 2, 3, 1] | unique | join(' ') }}|{{ [1, 2, 3] | reverse | join(' ') }}|{{ undefined_name | default('dflt') }}|{{ none_value | default('kept', true) }}|{{ '42' | int + 1 }}|{{ -5 | abs }}|{{ 'x' | string }}|{{ ['a', 'b'] | tojson }}|{{ {'b': 1, 'a': [1, 2, {'c': 'd'}], 'e': {}} | tojson }}|{{ {'k': 'v', 'n': [1, 2]} | tojson(indent=2) }}|{{ "line1\\nline2\\n\\nline4" | indent(2) }}|{{ "first\\nsecond" | indent(4, true) }}|{{ 'Tab\\tQuote"Back\\\\slash\u00e9' | tojson }}`,
	"feature-expressions": `{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'a' ~ 1 ~ 'b' }} {{ 'yes' if 1 < 2 else 'no' }} {{ 'no' if 2 < 1 else 'yes' }} {{ 'T' if 'ell' in 'hello' else 'F' }} {{ 'T' if 3 not in [1, 2] else 'F' }} {{ 'T' if not false and (true or false) else 'F' }} {{ 'T' if 1 == 1.0 else 'F' }} {{ 'T' if 'a' != 'b' else 'F' }} {{ 'T' if 2 >= 2 and 1 <= 0 else 'F' }} {{ [1, 2, 3][1:] | join(',') }} {{ [1, 2, 3][::-1] | join(',') }} {{ 'hello'[1:4] }} {{ 'hello'[-1] }} {{ [1, 2, 3][-2] }} {{ {'a': 1}['a'] }} {{ {'a': {'b': 'deep'}}.a.b }} {{ ([1] + [2]) | length }} {{ ('a', 'b') | join }} {{ 10 / 4 }}`,
	"feature-methods": `{{ '  a b  '.strip() }}|{{ '  a'.lstrip() }}|{{ 'a  '.rstrip() }}|{{ 'a,b,,c'.split(',') | join('|') }}|{{ 'a b  c'.split() | join('|') }}|{{ 'k=v=w'.split('=', 1) | join('|') }}|{{ 'T' if 'prefix-body'.startswith('prefix') else 'F' }}|{{ 'T' if 'body.py'.endswith('.py') else 'F' }}|{{ 'MiXed'.upper() }}{{ 'MiXed'.lower() }}|{{ 'hello world'.title() }}|{{ 'aaa'.replace('a', 'b', 2) }}|{% set d = {'x': 1, 'y': 2} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{{ d.keys() | join(',') }}|{{ d.values() | join(',') }}|{{ d.get('x') }}{{ d.get('z', 'none') }}`,
	"feature-tests": `{{ x is defined }}{{ undefined_name is undefined }}{{ none_value is none }}{{ 'a' is string }}{{ 1 is number }}{{ 1 is integer }}{{ 1.5 is integer }}{{ messages[0] is mapping }}{{ 'a' is mapping }}{{ [] is iterable }}{{ 'a' is iterable }}{{ [] is sequence }}{{ true is boolean }}{{ true is true }}{{ false is false }}{{ 3 is odd }}{{ 4 is even }}{{ none_value is not none }}`.replace(/\{\{ ([^}]*) \}\}/g, "{% if $1 %}1{% else %}0{% endif %}"),
	"feature-statements": `{%- set ns = namespace(count=0, names=[]) -%}
{%- for m in messages -%}
  {%- set ns.count = ns.count + 1 -%}
  {%- if m.role == 'assistant' %}{% continue %}{% endif -%}
  {%- if ns.count > 3 %}{% break %}{% endif -%}
  {%- set ns.names = ns.names + [m.role] -%}
{%- endfor -%}
{{ ns.count }}:{{ ns.names | join(',') }}
{%- set block %}Block {{ messages | length }} {% endset %}
[{{ block | trim }}]
{%- macro render(m, prefix='>') -%}{{ prefix }}{{ m.role }}({{ m.role | length }}){%- endmacro %}
{% for m in messages %}{{ render(m) }}{{ render(m, prefix='#') }}{% endfor %}
{%- macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}
{% call wrap('b') %}inside{% endcall %}
{%- set a, b = 1, 2 %} {{ a }}{{ b }}
{%- set loop_messages = messages[1:] if messages[0].role == 'system' else messages %} {{ loop_messages | length }}
{%- for i in range(3) %}{{ i }}{% endfor %}{% for i in range(1, 7, 2) %}{{ i }}{% endfor %}
{{ strftime_now('%Y-%m-%d %d %b %Y %H:%M') }}`,
};

function mentions(source, needs) {
	return !needs || source.includes(needs);
}

function render(source, context) {
	try {
		return { ok: true, output: new Template(source).render(context) };
	} catch (error) {
		return { ok: false, error: String(error?.message ?? error) };
	}
}

const templates = [];
const shared = findShared();
if (shared) {
	const dir = path.join(shared, "chat_templates");
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".jinja")).sort()) {
		const name = file.slice(0, -".jinja".length);
		const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected_renders.json"), "utf8")).templates[name];
		const context = expected?.scenarios?.multi_turn?.context ?? Object.values(expected?.scenarios ?? {})[0]?.context ?? {};
		templates.push({
			name,
			source: fs.readFileSync(path.join(dir, file), "utf8"),
			bos_token: context.bos_token ?? null,
			eos_token: context.eos_token ?? null,
		});
	}
	const models = path.join(shared, "models");
	if (fs.existsSync(models)) {
		for (const model of fs.readdirSync(models).sort()) {
			const configPath = path.join(models, model, "tokenizer_config.json");
			if (!fs.existsSync(configPath)) continue;
			const config = JSON.parse(fs.readFileSync(configPath, "utf8"));
			if (typeof config.chat_template !== "string") continue;
			const token = (t) => (typeof t === "string" ? t : (t?.content ?? null));
			templates.push({
				name: `model-${model}`,
				source: config.chat_template,
				bos_token: token(config.bos_token),
				eos_token: token(config.eos_token),
			});
		}
	}
}
for (const [name, source] of Object.entries(features)) {
	templates.push({ name, source, bos_token: "<s>", eos_token: "</s>" });
}

const cases = [];
for (const template of templates) {
	for (const [conversationName, conversation] of Object.entries(conversations)) {
		if (!mentions(template.source, conversation.needs)) continue;
		for (const addGenerationPrompt of [true, false]) {
			const context = { messages: conversation.messages, add_generation_prompt: addGenerationPrompt };
			if (template.bos_token !== null) context.bos_token = template.bos_token;
			if (template.eos_token !== null) context.eos_token = template.eos_token;
			if (conversation.tools) context.tools = conversation.tools;
			if (template.name.startsWith("feature-")) context.none_value = null;
			cases.push({
				id: `${template.name}/${conversationName}/${addGenerationPrompt ? "gen" : "nogen"}`,
				template: template.name,
				context,
				...render(template.source, context),
			});
		}
	}
}

const out = {
	generated_by: `@huggingface/jinja@${jinjaVersion} (tests/reference/render-templates.mjs); clock frozen at 2025-01-15T12:00:00Z`,
	shared_directory_found: shared !== null,
	templates: Object.fromEntries(templates.map((t) => [t.name, t.source])),
	cases,
};
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, "template-reference.json"), JSON.stringify(out, null, 1));
const failed = cases.filter((c) => !c.ok).length;
console.log(`template-reference.json: ${cases.length} cases (${cases.length - failed} rendered, ${failed} failed) from ${templates.length} templates`);
