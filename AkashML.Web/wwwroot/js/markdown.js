// A small, safe Markdown renderer for model output. Every piece of text is HTML-escaped before any markup is added,
// links are limited to http(s)/mailto/relative targets, and nothing from the input becomes an attribute other than
// an escaped href. Supports fenced code (highlighted, with a copy button), inline code, bold, italic, headings,
// lists, block quotes and links. An unterminated fence (mid-stream) renders as code so far.

const escapes = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, c => escapes[c]);
}

const keywords = new Set((
    "abstract async await break case catch class const continue def default del do elif else enum export extends " +
    "false final finally fn for foreach from func function if impl import in interface is lambda let match namespace " +
    "new nil none null override package pass private protected public raise readonly return self static struct super " +
    "switch this throw true try type typeof using val var void where while with yield True False None " +
    "select insert update delete create table values into join on group order by and or not as"
).split(" "));

const strings = String.raw`"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|${"`"}(?:[^${"`"}\\]|\\.)*${"`"}`;
const rest = String.raw`\b\d+(?:\.\d+)?\b|\b[A-Za-z_][A-Za-z0-9_]*\b`;
const slashComments = String.raw`\/\/[^\n]*|\/\*[\s\S]*?\*\/`;
const hashLanguages = /^(py|python|sh|bash|shell|zsh|ruby|rb|yaml|yml|toml|r|perl|dockerfile)$/i;

/** Light keyword highlighting: each token is escaped on its own, then wrapped. */
export function highlight(code, language) {
    const comments = hashLanguages.test(language || "") ? String.raw`#[^\n]*` : slashComments;
    const pattern = new RegExp(`(${comments}|${strings}|${rest})`, "g");
    let out = "";
    let last = 0;
    for (const match of code.matchAll(pattern)) {
        const token = match[0];
        out += escapeHtml(code.slice(last, match.index));
        last = match.index + token.length;
        let cls = null;
        if (/^(\/\/|\/\*|#)/.test(token)) cls = "c";
        else if (/^["'`]/.test(token)) cls = "s";
        else if (/^\d/.test(token)) cls = "n";
        else if (keywords.has(token)) cls = "k";
        out += cls ? `<span class="tok-${cls}">${escapeHtml(token)}</span>` : escapeHtml(token);
    }
    return out + escapeHtml(code.slice(last));
}

function safeHref(url) {
    const trimmed = url.trim();
    return /^(https?:\/\/|mailto:|\/(?!\/)|#)/i.test(trimmed) ? trimmed : null;
}

/** Inline markup on one line of raw text: code spans first (their content is literal), then emphasis and links. */
export function renderInline(raw) {
    const parts = raw.split(/(`+[^`]*?`+)/g);
    return parts.map((part, i) => {
        if (i % 2 === 1 && /^(`+)[^`]*\1$/.test(part)) {
            const ticks = part.match(/^`+/)[0].length;
            return `<code>${escapeHtml(part.slice(ticks, part.length - ticks))}</code>`;
        }
        let html = escapeHtml(part);
        html = html.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, text, url) => {
            // url is escaped already; unescape only to check the scheme, then emit the escaped form.
            const href = safeHref(url.replace(/&amp;/g, "&"));
            return href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${text}</a>` : whole;
        });
        html = html.replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>").replace(/__([^_\n]+)__/g, "<strong>$1</strong>");
        html = html.replace(/(^|[^*])\*([^*\n]+)\*(?!\*)/g, "$1<em>$2</em>").replace(/(^|[^\w_])_([^_\n]+)_(?![\w_])/g, "$1<em>$2</em>");
        return html;
    }).join("");
}

function renderBlocks(text) {
    const lines = text.split("\n");
    const out = [];
    let paragraph = [];
    let list = null; // { ordered, items }
    let quote = [];
    const flushParagraph = () => {
        if (paragraph.length) out.push(`<p>${paragraph.map(renderInline).join("<br>")}</p>`);
        paragraph = [];
    };
    const flushList = () => {
        if (list) out.push(`<${list.ordered ? "ol" : "ul"}>${list.items.map(item => `<li>${renderInline(item)}</li>`).join("")}</${list.ordered ? "ol" : "ul"}>`);
        list = null;
    };
    const flushQuote = () => {
        if (quote.length) out.push(`<blockquote>${renderBlocks(quote.join("\n"))}</blockquote>`);
        quote = [];
    };
    const flushAll = () => { flushParagraph(); flushList(); flushQuote(); };
    for (const line of lines) {
        let m;
        if (/^\s*>\s?/.test(line)) {
            flushParagraph(); flushList();
            quote.push(line.replace(/^\s*>\s?/, ""));
        } else if ((m = line.match(/^(#{1,6})\s+(.*)$/))) {
            flushAll();
            const level = Math.min(m[1].length + 2, 6); // keep the page's own headings above the answer's
            out.push(`<h${level}>${renderInline(m[2])}</h${level}>`);
        } else if ((m = line.match(/^\s*([-*+])\s+(.*)$/)) || (m = line.match(/^\s*(\d+)[.)]\s+(.*)$/))) {
            flushParagraph(); flushQuote();
            const ordered = /\d/.test(m[1]);
            if (!list || list.ordered !== ordered) { flushList(); list = { ordered, items: [] }; }
            list.items.push(m[2]);
        } else if (/^\s*([-*_])\s*\1\s*\1[\s\-*_]*$/.test(line)) {
            flushAll();
            out.push("<hr>");
        } else if (line.trim() === "") {
            flushAll();
        } else if (list && /^\s{2,}\S/.test(line)) {
            list.items[list.items.length - 1] += " " + line.trim();
        } else {
            flushList(); flushQuote();
            paragraph.push(line);
        }
    }
    flushAll();
    return out.join("");
}

/** Renders Markdown text to an HTML string that is safe to assign to innerHTML. */
export function renderMarkdown(text) {
    const source = String(text ?? "").replace(/\r\n?/g, "\n");
    const out = [];
    const fence = /^(```|~~~)[ \t]*([\w+#.-]*)[^\n]*\n/gm;
    let last = 0;
    let match;
    while ((match = fence.exec(source)) !== null) {
        out.push(renderBlocks(source.slice(last, match.index)));
        const marker = match[1];
        const language = match[2] || "";
        const bodyStart = match.index + match[0].length;
        const closing = source.indexOf("\n" + marker, bodyStart - 1);
        let code;
        if (closing === -1) {
            code = source.slice(bodyStart);
            last = source.length;
        } else {
            code = source.slice(bodyStart, closing < bodyStart ? bodyStart : closing);
            const lineEnd = source.indexOf("\n", closing + 1 + marker.length);
            last = lineEnd === -1 ? source.length : lineEnd + 1;
        }
        fence.lastIndex = last;
        out.push(
            `<div class="md-code"><div class="md-code-head"><span>${escapeHtml(language || "code")}</span>` +
            `<button type="button" class="md-copy" data-copy>Copy</button></div>` +
            `<pre><code>${highlight(code, language)}</code></pre></div>`);
    }
    out.push(renderBlocks(source.slice(last)));
    return out.join("");
}
