// Writes <out-dir>/tokenizer-reference.json: what Hugging Face's reference tokenizer (npm `tokenizers`) produces
// for a fixed list of tokenizer.json files and texts. The C# tests (TokenizerReferenceTests) compare against it
// when AKASHML_REFERENCE_DIR names <out-dir>.
//
// Usage: node tests/reference/tokenize.mjs <out-dir> [tokenizer.json ...]
// Extra files are tokenizers our own code wrote (scripts/test.sh passes the one the model builder converts from
// stories260K's SentencePiece vocabulary): they are copied to <out-dir>/converted/ and run like the others.
// The shared fixtures are found through AKASHML_SHARED_DIR (when set, and only there: a path that does not exist means
// none), or as a `shared` folder beside an ancestor of this script. Without them (a fresh clone) it writes a reference
// with no tokenizers and says so; the C# tests that need it then skip, naming the missing folder.
// Besides the real files, the script writes variants (real vocabularies with other pipelines: Llama-3/Qwen2 split
// regexes, Metaspace "first", Split behaviours, added-token flags, ...) to <out-dir>/variants/.
import { Tokenizer } from 'tokenizers';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const outDir = process.argv[2];
const extraFiles = process.argv.slice(3);
if (!outDir) {
  console.error('usage: node tokenize.mjs <out-dir> [tokenizer.json ...]');
  process.exit(2);
}

function findShared() {
  const named = process.env.AKASHML_SHARED_DIR;
  if (named) return fs.existsSync(path.join(named, 'tokenizers')) ? named : null;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'shared');
    if (fs.existsSync(path.join(candidate, 'tokenizers'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const shared = findShared();
const realTokenizers = [
  'tokenizers/all-MiniLM-L6-v2', 'tokenizers/bert-base-uncased', 'tokenizers/clip-vit-base-patch32',
  'tokenizers/cohere-2023', 'tokenizers/falcon-7b', 'tokenizers/gpt-neox-20b', 'tokenizers/gpt2',
  'tokenizers/llama-2', 'tokenizers/phi-2', 'tokenizers/phi-3-mini-4k-instruct', 'tokenizers/roberta-base',
  'tokenizers/smollm-135m-finetune', 'tokenizers/t5-small', 'tokenizers/whisper-tiny',
  'models/tiny-random-gpt2-fp32', 'models/tiny-random-LlamaForCausalLM-fp16', 'models/tiny-graph-capture-gqa',
];

const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const O200K_SPLIT = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const byteLevel = (extra = {}) => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false, ...extra });
const split = (pattern, behavior, invert = false) => ({ type: 'Split', pattern, behavior, invert });

// name -> [base tokenizer (relative to shared), function that edits the parsed JSON]
const variants = {
  'llama3-style': ['tokenizers/gpt2', (t) => {
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: LLAMA3_SPLIT }, 'Isolated'), byteLevel()] };
    t.model.ignore_merges = true;
    t.post_processor = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  }],
  'qwen2-style': ['tokenizers/gpt2', (t) => {
    t.normalizer = { type: 'NFC' };
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: QWEN2_SPLIT }, 'Isolated'), byteLevel()] };
  }],
  'o200k-style': ['tokenizers/gpt2', (t) => {
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: O200K_SPLIT }, 'Isolated'), byteLevel()] };
  }],
  'gpt2-added-token-flags': ['tokenizers/gpt2', (t) => {
    t.added_tokens.push(
      { id: 50257, content: '<|tool|>', single_word: false, lstrip: true, rstrip: true, normalized: false, special: true },
      { id: 50258, content: 'hello', single_word: true, lstrip: false, rstrip: false, normalized: false, special: false },
      { id: 50259, content: '[X]', single_word: false, lstrip: false, rstrip: true, normalized: true, special: false },
      { id: 50260, content: '<|endoftext|><|tool|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }],
  'gpt2-split-behaviours': ['tokenizers/gpt2', (t) => {
    t.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: '\\d{2,}' }, content: '#' }] };
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [
      split({ String: '-' }, 'MergedWithNext'), split({ Regex: '[,;]' }, 'MergedWithPrevious'),
      split({ Regex: '[aeiou]+' }, 'Contiguous'), { type: 'Digits', individual_digits: true },
      { type: 'Punctuation', behavior: 'Isolated' }, byteLevel({ add_prefix_space: true, use_regex: true })] };
  }],
  'llama2-metaspace-first': ['tokenizers/llama-2', (t) => {
    t.normalizer = null;
    t.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false };
    for (const a of t.added_tokens) a.normalized = false;
    t.added_tokens.push({ id: 32000, content: '<|im_start|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }],
  'llama2-metaspace-split-always': ['tokenizers/llama-2', (t) => {
    t.normalizer = null;
    t.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };
    t.decoder = { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true }] };
  }],
  'bert-normalizers': ['tokenizers/bert-base-uncased', (t) => {
    t.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' },
      { type: 'Strip', strip_left: true, strip_right: true }, { type: 'Replace', pattern: { String: '``' }, content: '"' }] };
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'Punctuation', behavior: 'MergedWithPrevious' }] };
    t.decoder = { type: 'WordPiece', prefix: '##', cleanup: false };
  }],
  'bert-cased-keep-accents': ['tokenizers/bert-base-uncased', (t) => {
    t.normalizer = { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: false, strip_accents: false, lowercase: false };
    t.pre_tokenizer = { type: 'WhitespaceSplit' };
  }],
  'clip-bpe-decoder': ['tokenizers/clip-vit-base-patch32', (t) => {
    t.decoder = { type: 'BPEDecoder', suffix: '</w>' };
  }],
  't5-metaspace-no-split': ['tokenizers/t5-small', (t) => {
    t.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false };
  }],
};

const texts = [
  'Hello, world! How are you doing today?',
  '',
  ' ',
  '   leading and trailing   ',
  'tabs\tand\nnewlines\r\n\r\nand\u00a0no-break\u2003em space',
  "I'm sure they'll say it's DON'T vs. don't, WE'VE I'D THEY'RE.",
  'The year 2024 had 365 days; 1234567890 and 3.14159 and 1,000,000.',
  'na\u00efve caf\u00e9 r\u00e9sum\u00e9 \u2014 d\u00e9j\u00e0 vu; Stra\u00dfe \u0130stanbul \u00c5ngstr\u00f6m',
  '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\u4e2d\u6587\u548c\ud55c\uad6d\uc5b4 \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u0440\u0443\u0441\u0441\u043a\u0438\u0439 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea \u0939\u093f\u0928\u094d\u0926\u0940 \u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22',
  'emoji \ud83e\udd17\ud83d\ude80 family \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 flag \ud83c\uddef\ud83c\uddf5 skin \ud83d\udc4d\ud83c\udffd \u2764\ufe0f',
  'math \ud835\udd18\ud835\udd2b\ud835\udd26\ud835\udd20\ud835\udd2c\ud835\udd21\ud835\udd22 \ud835\udc00\ud835\udc01\ud835\udc02 \ud835\udfce\ud835\udfcf \u2211 \u2260 \u00a9 \u2122 \u00bd',
  'def f(x):\n    return x ** 2  # comment\n\n\tif x >= 10:\n\t\tprint(f"{x!r}")\n',
  'const url = "https://example.com/path?q=1&r=two#frag"; // JS-style',
  'e\u0301 vs \u00e9, \ufb01 ligature, \uff21\uff22\uff23 fullwidth, \u2460 circled, x\u00b2',
  'special <|endoftext|> and <s> and </s> and [CLS] [SEP] [PAD] <pad> <|im_start|>user<|im_end|>',
  'added <|tool|>  spaced   <|tool|>x hello hellothere hello, [X]   y <|endoftext|><|tool|>',
  'dash-separated-words, semi;colons and aaa eee vowels 12 345',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'Multiple     spaces    between\n\n\n\nparagraphs      end',
  '``Quoted`` text with \u201csmart quotes\u201d and \u2018single\u2019',
  'control\u0000chars\u0007and\ufeffbom\u200bzwsp',
];

const require = createRequire(import.meta.url);
const version = require('tokenizers/package.json').version;
fs.mkdirSync(path.join(outDir, 'variants'), { recursive: true });
fs.mkdirSync(path.join(outDir, 'converted'), { recursive: true });

async function run(tokenizer) {
  const cases = [];
  for (const text of texts) {
    const plain = await tokenizer.encode(text, null, { addSpecialTokens: false });
    const special = await tokenizer.encode(text, null, { addSpecialTokens: true });
    const idsWithSpecial = Array.from(special.getIds());
    cases.push({
      text,
      ids: Array.from(plain.getIds()),
      tokens: plain.getTokens(),
      ids_with_special: idsWithSpecial,
      decoded: await tokenizer.decode(idsWithSpecial, false),
      decoded_skip_special: await tokenizer.decode(idsWithSpecial, true),
    });
  }
  return cases;
}

const entries = [];
if (shared === null) {
  console.log('tokenize.mjs: no shared folder (../shared/tokenizers or AKASHML_SHARED_DIR): no tokenizers to run');
}
for (const rel of shared === null ? [] : realTokenizers) {
  const file = path.join(shared, rel, 'tokenizer.json');
  if (!fs.existsSync(file)) continue;
  entries.push({ name: rel, shared: rel, cases: await run(Tokenizer.fromFile(file)) });
}
for (const [name, [base, edit]] of shared === null ? [] : Object.entries(variants)) {
  const json = JSON.parse(fs.readFileSync(path.join(shared, base, 'tokenizer.json'), 'utf8'));
  edit(json);
  const relFile = `variants/${name}.json`;
  const file = path.join(outDir, relFile);
  fs.writeFileSync(file, JSON.stringify(json));
  entries.push({ name, file: relFile, cases: await run(Tokenizer.fromFile(file)) });
}
for (const [index, source] of extraFiles.entries()) {
  const name = `${path.basename(path.dirname(source))}-${index}`;
  const relFile = `converted/${name}.json`;
  fs.copyFileSync(source, path.join(outDir, relFile));
  entries.push({ name: `converted/${name}`, file: relFile, cases: await run(Tokenizer.fromFile(path.join(outDir, relFile))) });
}

const out = path.join(outDir, 'tokenizer-reference.json');
fs.writeFileSync(out, JSON.stringify({ generated_by: `tokenizers@${version}`, shared_directory_found: shared !== null, tokenizers: entries }));
console.log(`wrote ${out}: ${entries.length} tokenizers x ${texts.length} texts`);
