// The playground: parameter controls drawn from the catalog, a streamed chat against the cookie-authenticated
// /dashboard/api/chat/completions (the public chat-completions handler in the same metered pipeline), compare mode
// (the same conversation to up to three models in parallel), presets and "view code".
import { renderMarkdown, escapeHtml, highlight } from "./markdown.js";

const data = JSON.parse(document.getElementById("pg-data").textContent);
const $ = id => document.getElementById(id);
const els = {
    model: $("pg-model"), info: $("pg-model-info"), preset: $("pg-preset"), system: $("pg-system"), params: $("pg-params"),
    reset: $("pg-reset"), compare: $("pg-compare"), comparePickers: $("pg-compare-pickers"), compare1: $("pg-compare-1"),
    compare2: $("pg-compare-2"), columns: $("pg-columns"), composer: $("pg-composer"), input: $("pg-input"), send: $("pg-send"),
    stop: $("pg-stop"), clear: $("pg-clear"), viewCode: $("pg-view-code"), codeDialog: $("pg-code-dialog"), code: $("pg-code"),
    codeLang: $("pg-code-lang"), codeCopy: $("pg-code-copy"), savePreset: $("pg-save-preset"), saveDialog: $("pg-save-dialog"),
    saveForm: $("pg-save-form"),
};
const antiforgery = els.saveForm.querySelector("input[name='__RequestVerificationToken']")?.value ?? "";
const modelsById = new Map(data.models.map(m => [m.id, m]));

// One conversation: user turns are shared; each column (model) has its own replies.
const state = { turns: [], values: {}, running: new Map(), codeLang: "curl" };

// ---------- Parameters ----------

function currentModel() { return modelsById.get(els.model.value); }

function defaults(model) {
    const values = {};
    for (const p of model?.parameters ?? []) values[p.name] = p.kind === "seed" ? "" : p.kind === "stopSequences" ? "" : p.default;
    return values;
}

function clampToModel(model) {
    for (const p of model?.parameters ?? []) {
        const v = state.values[p.name];
        if ((p.kind === "number" || p.kind === "integer") && (typeof v !== "number" || v < p.min || v > p.max)) state.values[p.name] = p.default;
    }
}

function renderParams() {
    const model = currentModel();
    els.params.innerHTML = "";
    for (const p of model?.parameters ?? []) {
        const id = `pg-param-${p.name}`;
        const field = document.createElement("div");
        field.className = "pg-param";
        field.title = p.help;
        if (p.kind === "number" || p.kind === "integer") {
            field.innerHTML =
                `<div class="pg-param-row"><label for="${id}">${escapeHtml(p.label)}</label>` +
                `<input type="number" class="pg-param-number" id="${id}" min="${p.min}" max="${p.max}" step="${p.step}" data-param="${escapeHtml(p.name)}"></div>` +
                `<input type="range" class="pg-param-range" min="${p.min}" max="${p.max}" step="${p.step}" aria-label="${escapeHtml(p.label)}" data-param="${escapeHtml(p.name)}">` +
                `<div class="pg-param-help">${escapeHtml(p.help)}</div>`;
            const [number, range] = field.querySelectorAll("input");
            number.value = range.value = state.values[p.name];
            const set = (source, other) => {
                let v = Number(source.value);
                if (Number.isNaN(v)) return;
                if (p.kind === "integer") v = Math.round(v);
                v = Math.min(p.max, Math.max(p.min, v));
                state.values[p.name] = v;
                other.value = v;
            };
            range.addEventListener("input", () => set(range, number));
            number.addEventListener("change", () => { set(number, range); number.value = state.values[p.name]; });
        } else if (p.kind === "seed") {
            field.innerHTML = `<label for="${id}">${escapeHtml(p.label)}</label><input type="number" step="1" class="rz-textbox" id="${id}" placeholder="random">` +
                `<div class="pg-param-help">${escapeHtml(p.help)}</div>`;
            const input = field.querySelector("input");
            input.value = state.values[p.name] ?? "";
            input.addEventListener("input", () => { state.values[p.name] = input.value.trim(); });
        } else {
            field.innerHTML = `<label for="${id}">${escapeHtml(p.label)}</label><textarea class="rz-textbox" rows="2" id="${id}" placeholder="one per line; \\n is a newline"></textarea>` +
                `<div class="pg-param-help">${escapeHtml(p.help)}</div>`;
            const input = field.querySelector("textarea");
            input.value = state.values[p.name] ?? "";
            input.addEventListener("input", () => { state.values[p.name] = input.value; });
        }
        els.params.appendChild(field);
    }
}

function money(usd) {
    if (usd === 0) return "$0";
    return usd < 0.01 ? "$" + usd.toFixed(6) : "$" + usd.toFixed(4);
}

function renderModelInfo() {
    const m = currentModel();
    if (!m) { els.info.innerHTML = `<p class="am-hint">No models are available.</p>`; return; }
    els.info.innerHTML =
        `<div class="pg-badges">` +
        (m.smokeTest ? `<span class="am-pill is-warning">Smoke test · random weights</span> ` : "") +
        (m.loaded ? `<span class="am-pill is-success">Loaded</span>` : `<span class="am-pill">Loads on first use</span>`) + `</div>` +
        (m.description ? `<p>${escapeHtml(m.description)}</p>` : "") +
        `<dl class="pg-facts"><div><dt>Context</dt><dd>${m.contextLength.toLocaleString("en-US")}</dd></div>` +
        `<div><dt>Input</dt><dd>$${m.inputPrice}/M</dd></div><div><dt>Output</dt><dd>$${m.outputPrice}/M</dd></div></dl>`;
}

/** The parameters to send: those that differ from the model's defaults, plus seed and stop when set. */
function requestParameters(model) {
    const out = {};
    for (const p of model?.parameters ?? []) {
        const v = state.values[p.name];
        if (p.kind === "seed") { if (v !== "" && v !== undefined && !Number.isNaN(Number(v))) out.seed = Math.trunc(Number(v)); continue; }
        if (p.kind === "stopSequences") {
            const stops = String(v ?? "").split("\n").map(s => s.replace(/\\n/g, "\n").replace(/\\t/g, "\t")).filter(s => s.length > 0).slice(0, 4);
            if (stops.length) out.stop = stops;
            continue;
        }
        if (p.name === "max_tokens" || v !== p.default) out[p.name] = v;
    }
    return out;
}

function applyPreset(name) {
    const preset = data.presets.find(p => p.name === name);
    if (!preset) return;
    if (modelsById.has(preset.model)) els.model.value = preset.model;
    const model = currentModel();
    state.values = defaults(model);
    for (const [key, value] of Object.entries(preset.parameters ?? {})) {
        if (key === "stop" && Array.isArray(value)) state.values.stop = value.map(s => s.replace(/\n/g, "\\n").replace(/\t/g, "\\t")).join("\n");
        else if (key === "seed") state.values.seed = String(value);
        else state.values[key] = value;
    }
    clampToModel(model);
    els.system.value = preset.system ?? "";
    renderModelInfo();
    renderParams();
    renderColumns();
}

// ---------- Columns and transcript ----------

function activeModels() {
    const ids = [els.model.value];
    if (els.compare.checked) {
        for (const select of [els.compare1, els.compare2]) if (select.value && !ids.includes(select.value)) ids.push(select.value);
    }
    return ids.filter(id => modelsById.has(id));
}

function fillComparePickers() {
    for (const [select, optional] of [[els.compare1, false], [els.compare2, true]]) {
        const keep = select.value;
        select.innerHTML = (optional ? `<option value="">No third model</option>` : "") +
            data.models.map(m => `<option value="${escapeHtml(m.id)}">${escapeHtml(m.name)}</option>`).join("");
        if ([...select.options].some(o => o.value === keep)) select.value = keep;
        else if (!optional) select.value = data.models.find(m => m.id !== els.model.value)?.id ?? els.model.value;
    }
}

function renderColumns() {
    const ids = activeModels();
    els.columns.className = `pg-columns is-${ids.length}`;
    els.columns.innerHTML = "";
    ids.forEach((id, column) => {
        const model = modelsById.get(id);
        const col = document.createElement("div");
        col.className = "pg-column";
        col.dataset.model = id;
        col.dataset.testid = `column-${column}`;
        col.innerHTML = `<div class="pg-column-head"><strong>${escapeHtml(model.name)}</strong> <code>${escapeHtml(id)}</code></div><ol class="pg-transcript" aria-label="Conversation with ${escapeHtml(model.name)}"></ol>`;
        const list = col.querySelector("ol");
        if (state.turns.length === 0) {
            list.innerHTML = `<li class="pg-empty">Send a message to start${ids.length > 1 ? " — every model gets the same conversation" : ""}.</li>`;
        }
        state.turns.forEach((turn, index) => {
            list.appendChild(userMessage(turn, index, column === 0));
            const reply = turn.replies[id];
            if (reply) list.appendChild(assistantMessage(reply, id, index));
        });
        els.columns.appendChild(col);
    });
}

function userMessage(turn, index, editable) {
    const li = document.createElement("li");
    li.className = "pg-msg is-user";
    li.dataset.role = "user";
    if (turn.editing && editable) {
        li.innerHTML = `<label class="am-visually-hidden" for="pg-edit-${index}">Edit message</label><textarea class="rz-textbox" id="pg-edit-${index}" rows="3"></textarea>` +
            `<div class="pg-msg-actions"><button type="button" class="am-button is-small is-primary" data-act="resend">Send</button><button type="button" class="am-button is-small" data-act="cancel-edit">Cancel</button></div>`;
        li.querySelector("textarea").value = turn.user;
        li.querySelector("[data-act=resend]").addEventListener("click", () => {
            const text = li.querySelector("textarea").value.trim();
            if (!text) return;
            state.turns = state.turns.slice(0, index);
            send(text);
        });
        li.querySelector("[data-act=cancel-edit]").addEventListener("click", () => { turn.editing = false; renderColumns(); });
        return li;
    }
    li.innerHTML = `<div class="pg-msg-body">${escapeHtml(turn.user).replace(/\n/g, "<br>")}</div>`;
    if (editable) {
        const actions = document.createElement("div");
        actions.className = "pg-msg-actions";
        actions.innerHTML = `<button type="button" class="am-button is-small is-link" data-act="edit">Edit</button>`;
        actions.querySelector("button").addEventListener("click", () => {
            if (state.running.size) return;
            state.turns.forEach(t => { t.editing = false; });
            turn.editing = true;
            renderColumns();
        });
        li.appendChild(actions);
    }
    return li;
}

function assistantMessage(reply, modelId, index) {
    const li = document.createElement("li");
    li.className = "pg-msg is-assistant" + (reply.error ? " has-error" : "");
    li.dataset.role = "assistant";
    li.dataset.state = reply.done ? "done" : "streaming";
    li.innerHTML = `<div class="pg-msg-body md"></div><div class="pg-msg-error" role="alert" hidden></div><div class="pg-msg-meta"></div>`;
    reply.element = li;
    paintReply(reply);
    if (index === state.turns.length - 1) {
        const actions = document.createElement("div");
        actions.className = "pg-msg-actions";
        actions.innerHTML = `<button type="button" class="am-button is-small is-link" data-act="regenerate">Regenerate</button>`;
        actions.querySelector("button").addEventListener("click", () => regenerate(modelId));
        li.appendChild(actions);
    }
    return li;
}

function paintReply(reply) {
    const li = reply.element;
    if (!li) return;
    li.dataset.state = reply.done ? "done" : "streaming";
    const body = li.querySelector(".pg-msg-body");
    body.innerHTML = reply.text ? renderMarkdown(reply.text) : (reply.done || reply.error ? "" : `<span class="pg-typing" aria-label="Generating">●●●</span>`);
    const error = li.querySelector(".pg-msg-error");
    error.hidden = !reply.error;
    error.innerHTML = reply.error ?? "";
    li.classList.toggle("has-error", Boolean(reply.error));
    li.querySelector(".pg-msg-meta").innerHTML = reply.stats ? statsText(reply) : "";
}

function statsText(reply) {
    const s = reply.stats;
    const parts = [];
    if (s.promptTokens !== undefined) parts.push(`<span title="prompt + completion tokens">${s.promptTokens} + ${s.completionTokens} tokens</span>`);
    if (s.ttftMs !== undefined) parts.push(`<span title="time to first token">TTFT ${s.ttftMs} ms</span>`);
    if (s.latencyMs !== undefined) parts.push(`<span title="total time">${(s.latencyMs / 1000).toFixed(2)} s</span>`);
    if (s.tokensPerSecond !== undefined) parts.push(`<span>${s.tokensPerSecond.toFixed(1)} tok/s</span>`);
    if (s.cost !== undefined) parts.push(`<span title="charged to your credits">${money(s.cost)}</span>`);
    if (s.inferenceId) parts.push(`<span class="pg-inference-id" title="Inference-Id, for support">${escapeHtml(s.inferenceId)}</span>`);
    if (reply.stopped) parts.push(`<span>stopped</span>`);
    return parts.join("");
}

// ---------- Requests ----------

function messagesFor(modelId, upTo) {
    const messages = [];
    const system = els.system.value.trim();
    if (system) messages.push({ role: "system", content: system });
    state.turns.slice(0, upTo + 1).forEach((turn, i) => {
        messages.push({ role: "user", content: turn.user });
        if (i < upTo && turn.replies[modelId]?.text) messages.push({ role: "assistant", content: turn.replies[modelId].text });
    });
    return messages;
}

function requestBody(modelId, messages, stream) {
    const body = { model: modelId, messages, ...requestParameters(modelsById.get(modelId)) };
    if (stream) { body.stream = true; body.stream_options = { include_usage: true }; }
    return body;
}

function errorHtml(status, message, retryAfter) {
    const text = escapeHtml(message || "The request failed.");
    switch (status) {
        case 402: return `<strong>Not enough credits.</strong> ${text} <a href="billing">Add credits on the Billing page</a>, then regenerate.`;
        case 429: return `<strong>Rate limited.</strong> ${text}${retryAfter ? ` Try again in ${escapeHtml(retryAfter)} s.` : " Wait a moment, then regenerate."}`;
        case 401: return `<strong>You are signed out.</strong> <a href="Account/Login?ReturnUrl=%2Fplayground">Sign in again</a>.`;
        case 404: return `<strong>Not found.</strong> ${text} Pick another model.`;
        case 503: case 504: case 529: return `<strong>The model is unavailable right now.</strong> ${text} Try again shortly or pick another model.`;
        case 400: case 413: case 422: return `<strong>The request was refused.</strong> ${text}`;
        default: return `<strong>Something went wrong (${status}).</strong> ${text}`;
    }
}

async function run(modelId, turnIndex) {
    const turn = state.turns[turnIndex];
    const model = modelsById.get(modelId);
    const reply = { text: "", done: false, error: null, stats: null, element: turn.replies[modelId]?.element };
    turn.replies[modelId] = reply;
    const controller = new AbortController();
    state.running.set(modelId, controller);
    updateBusy();
    const started = performance.now();
    let firstAt = null;
    let usage = null;
    const stats = {};
    try {
        const response = await fetch(data.endpoint, {
            method: "POST",
            headers: { "Content-Type": "application/json", "RequestVerificationToken": antiforgery, "Accept": "text/event-stream" },
            body: JSON.stringify(requestBody(modelId, messagesFor(modelId, turnIndex), true)),
            signal: controller.signal,
            credentials: "same-origin",
        });
        stats.inferenceId = response.headers.get("Inference-Id") ?? undefined;
        if (!response.ok) {
            let message = "";
            const type = response.headers.get("Content-Type") ?? "";
            if (type.includes("json")) {
                const body = await response.json().catch(() => null);
                message = body?.error?.message ?? body?.message ?? "";
            } else if (response.status === 400) {
                message = "The page's security token is no longer valid: reload the page.";
            }
            reply.error = errorHtml(response.status, message, response.headers.get("Retry-After"));
            return;
        }
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let cut;
            while ((cut = buffer.indexOf("\n\n")) !== -1) {
                const event = buffer.slice(0, cut);
                buffer = buffer.slice(cut + 2);
                for (const line of event.split("\n")) {
                    if (!line.startsWith("data:")) continue;
                    const payload = line.slice(5).trim();
                    if (payload === "[DONE]") continue;
                    const chunk = JSON.parse(payload);
                    if (chunk.error) { reply.error = errorHtml(chunk.error.code === "insufficient_credits" ? 402 : 500, chunk.error.message); continue; }
                    if (chunk.usage) usage = chunk.usage;
                    const delta = chunk.choices?.[0]?.delta?.content;
                    if (delta) {
                        firstAt ??= performance.now();
                        reply.text += delta;
                    }
                }
            }
            paintReply(reply);
        }
    } catch (e) {
        if (e.name === "AbortError") reply.stopped = true;
        else reply.error = errorHtml(0, "The connection failed: " + e.message);
    } finally {
        const ended = performance.now();
        stats.latencyMs = Math.round(ended - started);
        if (firstAt !== null) stats.ttftMs = Math.round(firstAt - started);
        if (usage) {
            stats.promptTokens = usage.prompt_tokens;
            stats.completionTokens = usage.completion_tokens;
            const generating = firstAt !== null ? (ended - firstAt) / 1000 : 0;
            if (generating > 0 && usage.completion_tokens > 1) stats.tokensPerSecond = (usage.completion_tokens - 1) / generating;
            // The same rounding as the ledger: each side rounded up to a whole micro-dollar.
            stats.cost = (Math.ceil(usage.prompt_tokens * model.inputPrice) + Math.ceil(usage.completion_tokens * model.outputPrice)) / 1e6;
        }
        reply.stats = stats;
        reply.done = true;
        state.running.delete(modelId);
        paintReply(reply);
        updateBusy();
    }
}

function updateBusy() {
    const busy = state.running.size > 0;
    els.send.hidden = busy;
    els.stop.hidden = !busy;
    document.getElementById("playground").setAttribute("aria-busy", String(busy));
}

function send(text) {
    state.turns.forEach(t => { t.editing = false; });
    state.turns.push({ user: text, replies: {} });
    const index = state.turns.length - 1;
    const ids = activeModels();
    for (const id of ids) state.turns[index].replies[id] = { text: "", done: false };
    renderColumns();
    // Every model streams at once; each column fills in as its own tokens arrive.
    return Promise.all(ids.map(id => run(id, index)));
}

function regenerate(modelId) {
    if (state.running.size || state.turns.length === 0) return;
    const index = state.turns.length - 1;
    const ids = modelId ? [modelId] : activeModels();
    renderColumns();
    ids.forEach(id => run(id, index));
}

// ---------- View code ----------

function codeSample(lang) {
    const modelId = els.model.value;
    const turns = state.turns.length;
    const messages = turns ? messagesFor(modelId, turns - 1) : [...messagesFor(modelId, -1), { role: "user", content: els.input.value.trim() || "Hello!" }];
    const body = requestBody(modelId, messages, false);
    const base = new URL("v1", data.baseUrl).toString();
    const json = JSON.stringify(body, null, 2);
    const { model, messages: msgs, ...params } = body;
    switch (lang) {
        case "python": {
            const args = Object.entries(params).map(([k, v]) => `    ${k}=${pyValue(v)},`).join("\n");
            return `from openai import OpenAI\n\nclient = OpenAI(\n    base_url="${base}",\n    api_key="YOUR_API_KEY",\n)\n\ncompletion = client.chat.completions.create(\n    model=${JSON.stringify(model)},\n    messages=${pyValue(msgs, 4)},\n${args ? args + "\n" : ""})\nprint(completion.choices[0].message.content)\n`;
        }
        case "javascript":
            return `import OpenAI from "openai";\n\nconst client = new OpenAI({\n  baseURL: "${base}",\n  apiKey: "YOUR_API_KEY",\n});\n\nconst completion = await client.chat.completions.create(${json});\nconsole.log(completion.choices[0].message.content);\n`;
        case "csharp": {
            const csJson = json.replace(/"/g, "\"\"");
            return `using System.Net.Http.Headers;\nusing System.Text;\n\nusing var http = new HttpClient { BaseAddress = new Uri("${base}/") };\nhttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "YOUR_API_KEY");\n\nvar body = @"${csJson}";\nusing var response = await http.PostAsync("chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));\nresponse.EnsureSuccessStatusCode();\nConsole.WriteLine(await response.Content.ReadAsStringAsync());\n`;
        }
        default:
            return `curl ${base}/chat/completions \\\n  -H "Authorization: Bearer YOUR_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '${json.replace(/'/g, "'\\''")}'\n`;
    }
}

function pyValue(value, level = 0) {
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (Array.isArray(value)) {
        if (value.every(v => typeof v !== "object")) return "[" + value.map(v => pyValue(v)).join(", ") + "]";
        const pad = " ".repeat(level + 4);
        return "[\n" + value.map(v => pad + pyValue(v, level + 4) + ",").join("\n") + "\n" + " ".repeat(level) + "]";
    }
    if (typeof value === "object") return "{" + Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyValue(v, level)}`).join(", ") + "}";
    return JSON.stringify(value);
}

function showCode(lang) {
    state.codeLang = lang;
    const text = codeSample(lang);
    els.code.dataset.raw = text;
    els.code.innerHTML = highlight(text, lang === "python" ? "python" : lang === "curl" ? "sh" : lang);
    els.codeLang.textContent = { curl: "curl", python: "Python", javascript: "JavaScript", csharp: "C#" }[lang];
    for (const tab of els.codeDialog.querySelectorAll("[role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.lang === lang));
}

// ---------- Save as preset ----------

function fillPresetForm() {
    const form = els.saveForm;
    const set = (name, value) => { form.querySelector(`[name='Input.${name}']`).value = value ?? ""; };
    const model = currentModel();
    set("ModelId", model?.id);
    set("SystemPrompt", els.system.value);
    const fields = { temperature: "Temperature", top_p: "TopP", top_k: "TopK", max_tokens: "MaxTokens", frequency_penalty: "FrequencyPenalty", presence_penalty: "PresencePenalty" };
    const params = requestParameters(model);
    for (const [param, field] of Object.entries(fields)) set(field, params[param] !== undefined ? String(params[param]) : "");
    set("Seed", params.seed !== undefined ? String(params.seed) : "");
    set("Stop", state.values.stop ?? "");
    const preset = els.preset.value;
    if (preset && !form.querySelector("#pg-preset-name").value) form.querySelector("#pg-preset-name").value = preset + "-2";
}

// ---------- Wiring ----------

async function copy(text, button) {
    try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
    } catch {
        button.textContent = "Select and copy";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
}

document.addEventListener("click", e => {
    const button = e.target.closest("[data-copy]");
    if (button) copy(button.closest(".md-code").querySelector("code").textContent, button);
    const close = e.target.closest("[data-close]");
    if (close) close.closest("dialog").close();
});

els.model.addEventListener("change", () => {
    const model = currentModel();
    clampToModel(model);
    state.values = { ...defaults(model), ...state.values };
    clampToModel(model);
    renderModelInfo();
    renderParams();
    fillComparePickers();
    renderColumns();
});
els.preset.addEventListener("change", () => {
    if (els.preset.value) applyPreset(els.preset.value);
    const url = new URL(location.href);
    if (els.preset.value) url.searchParams.set("preset", els.preset.value); else url.searchParams.delete("preset");
    history.replaceState(null, "", url);
});
els.reset.addEventListener("click", () => { state.values = defaults(currentModel()); renderParams(); });
els.compare.addEventListener("change", () => {
    els.comparePickers.hidden = !els.compare.checked;
    fillComparePickers();
    renderColumns();
});
for (const select of [els.compare1, els.compare2]) select.addEventListener("change", renderColumns);
els.composer.addEventListener("submit", e => {
    e.preventDefault();
    const text = els.input.value.trim();
    if (!text || state.running.size) return;
    els.input.value = "";
    send(text);
});
els.input.addEventListener("keydown", e => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); els.composer.requestSubmit(); }
});
els.stop.addEventListener("click", () => { for (const controller of state.running.values()) controller.abort(); });
els.clear.addEventListener("click", () => {
    for (const controller of state.running.values()) controller.abort();
    state.turns = [];
    renderColumns();
});
els.viewCode.addEventListener("click", () => { showCode(state.codeLang); els.codeDialog.showModal(); });
for (const tab of els.codeDialog.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => showCode(tab.dataset.lang));
els.codeCopy.addEventListener("click", e => { e.stopPropagation(); copy(els.code.dataset.raw ?? els.code.textContent, els.codeCopy); });
els.savePreset.addEventListener("click", () => { fillPresetForm(); els.saveDialog.showModal(); els.saveForm.querySelector("#pg-preset-name").focus(); });
els.saveForm.addEventListener("submit", () => fillPresetForm());

// ---------- Start ----------

state.values = defaults(currentModel());
fillComparePickers();
renderModelInfo();
renderParams();
if (data.initial.preset) applyPreset(data.initial.preset);
renderColumns();
if (data.initial.warning) {
    const warning = document.createElement("div");
    warning.className = "am-alert is-warning";
    warning.setAttribute("role", "status");
    warning.textContent = data.initial.warning;
    els.columns.before(warning);
}
document.getElementById("playground").dataset.ready = "true";
