namespace AkashML.Web.Cli;

/// <summary>
/// Every verb and sub-command of the ops CLI with its usage line and the options it accepts: the one place that
/// <c>help</c>, <c>--help</c> and the unknown-option check read, so a mistyped option fails instead of being ignored.
/// </summary>
internal static class VerbCatalog
{
    /// <summary>The verb whose sub-commands live in <see cref="BenchAssembly"/>, and the mark help puts on them.</summary>
    private const string BenchVerb = "bench";
    private const string BenchMark = "[bench build]";

    public static readonly IReadOnlyList<VerbUsage> All =
    [
        // Serving is what runs without a verb; listed so help shows the roles.
        new("serve", null, "serve [--role all|gateway|inference] [--urls URL]", ["role", "urls"]),
        new("migrate", null, "migrate", []),
        new("backup", null, "backup --to DIR", ["to"]),
        new("restore", null, "restore --from DIR [--force]", ["from", "force"]),
        new("users", "create", "users create --email E [--password P] [--admin]", ["email", "password", "admin"]),
        new("keys", "create", "keys create --email E --name N [--rpm N] [--tpm N] [--concurrency N] [--expires DATE] [--budget-usd N [--budget-period none|daily|weekly|monthly]] [--models ID,ID]",
            ["email", "name", "rpm", "tpm", "concurrency", "expires", "budget-usd", "budget-period", "models"]),
        new("keys", "edit", "keys edit ID [--name N] [--rpm N|none] [--tpm N|none] [--concurrency N|none] [--expires DATE|none] [--budget-usd N|none] [--budget-period P] [--models ID,ID|all]",
            ["name", "rpm", "tpm", "concurrency", "expires", "budget-usd", "budget-period", "models"]),
        new("keys", "list", "keys list --email E", ["email"]),
        new("keys", "roll", "keys roll ID [--grace HOURS]", ["grace"]),
        new("keys", "revoke", "keys revoke ID", []),
        new("credits", "grant", "credits grant --email E --usd N [--expires DATE] [--reason R]", ["email", "usd", "expires", "reason"]),
        new("credits", "show", "credits show --email E", ["email"]),
        new("models", "list", "models list", []),
        new("models", "build", "models build llama2c <checkpoint.bin> --tokenizer <tok.bin|tok.model> --out <dir|id> [--int4] [--force]"
            + " | models build hf <folder> --out <dir|id> [--int4] [--force]"
            + " | models build random --shape qwen2.5-0.5b --out <dir|id> [--int4] [--force]", ["tokenizer", "out", "int4", "force", "shape"]),
        new("models", "pull", "models pull <owner/repo> [--revision R] [--include GLOB] [--id ID] [--force]", ["revision", "include", "id", "force"]),
        new("models", "import", "models import <path> [--id owner/name] [--link] [--force]", ["id", "link", "force"]),
        new("bench", "engine", "bench engine --model DIR|ID [--prompt-tokens 128] [--gen-tokens 256] [--runs 5] [--streams 1,4,8 [--max-batch 8] [--long-prompt 2048 [--prefill-chunk 512]]] [--reference ortgenai] [--json]",
            ["model", "prompt-tokens", "gen-tokens", "runs", "streams", "max-batch", "long-prompt", "prefill-chunk", "reference", "json"]),
        new("bench", "api", "bench api [--clients 1,8,64] [--requests 400] [--warmup 0] [--model ID] [--max-tokens 1] [--prompt TEXT]", ["clients", "requests", "warmup", "model", "max-tokens", "prompt"]),
        new("bench", "gateway", "bench gateway [--clients 64] [--requests 2000] [--keys 1] [--endpoint models|completions] [--limits all|requests|none] [--warmup 200] [--postgres ADMIN_CONNECTION] [--json]",
            ["clients", "requests", "keys", "endpoint", "limits", "warmup", "postgres", "json"]),
        new("bench", "backends", "bench backends [--model ID] [--requests 50] [--streams 8] [--stream-tokens 64] [--stream-requests 4] [--json]",
            ["model", "requests", "streams", "stream-tokens", "stream-requests", "json"]),
        new("bench", "soak", "bench soak [--minutes 30] [--clients N] [--model ID]", ["minutes", "clients", "model"]),
        new("bench", "usage", "bench usage [--rows 1000000] [--days 90] [--runs 5] [--postgres CONN]", ["rows", "days", "runs", "postgres"]),
        new("bench", "binding", "bench binding --model DIR|ID [--steps 255] [--rounds 15] [--json]", ["model", "steps", "rounds", "json"]),
        new("bench", "tokenizer", "bench tokenizer --tokenizer DIR|FILE [--chars 50000] [--runs 5] [--json]", ["tokenizer", "chars", "runs", "json"]),
        new("bench", "prefix", "bench prefix --model DIR|ID [--request FILE | --request-tokens 2000] [--prefix-tokens 2000] [--streams 8] [--gen-tokens 32] [--runs 3] [--max-batch 8] [--block 16] [--json]",
            ["model", "request", "request-tokens", "prefix-tokens", "streams", "gen-tokens", "runs", "max-batch", "block", "json"]),
        new("bench", "claude-code", "bench claude-code [--model ID] [--prompt TEXT] [--claude PATH] [--json]", ["model", "prompt", "claude", "json"]),
    ];

    /// <summary>"usage: " and the lines of <paramref name="verb"/> (every verb when null), joined by " | ".</summary>
    public static string Usage(string? verb, string? sub = null) =>
        "usage: " + string.Join(" | ", All.Where(v => (verb is null || v.Verb == verb) && (sub is null || v.Sub == sub)).Select(v => v.Line));

    /// <summary>The help text: one usage line per sub-command of <paramref name="verb"/>, or of every verb.</summary>
    public static string Help(string? verb)
    {
        var usages = All.Where(v => verb is null || v.Verb == verb).ToList();
        if (usages.Count == 0)
        {
            throw new CommandLineException($"unknown command '{verb}'; run 'help' for the list");
        }

        var lines = usages.Select(v => "  " + v.Line + (v.Verb == BenchVerb ? "  " + BenchMark : "")).ToList();
        if (usages.Any(v => v.Verb == BenchVerb))
        {
            // The benchmarks live in their own assembly; say whether this build has it and how to get it otherwise.
            lines.Add(BenchAssembly.Present
                ? $"  {BenchMark} {BenchAssembly.Name}.dll is in this build"
                : $"  {BenchMark} not in this build; from a checkout: {BenchAssembly.HowToRun(null)}");
        }

        return "usage (dotnet AkashML.Web.dll <verb> ...; settings as --Section:Key=value):" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }

    /// <summary>Refuses options the verb does not take, naming the ones it does.</summary>
    /// <exception cref="CommandLineException">An option the verb does not know.</exception>
    public static void CheckOptions(VerbArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var usage = All.FirstOrDefault(v => v.Verb == arguments.Verb && v.Sub == arguments.Sub)
            ?? All.FirstOrDefault(v => v.Verb == arguments.Verb && v.Sub is null);
        if (usage is null)
        {
            // Unknown sub-commands are reported by the verb itself, with its usage.
            return;
        }

        var unknown = arguments.OptionNames.Where(name => !usage.Options.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            var accepted = usage.Options.Count == 0 ? "it takes no options" : "it takes " + string.Join(", ", usage.Options.Select(o => "--" + o));
            throw new CommandLineException($"'{usage.Verb}{(usage.Sub is null ? "" : " " + usage.Sub)}' does not take {string.Join(", ", unknown.Select(o => "--" + o))}; {accepted}");
        }
    }
}

/// <param name="Line">The usage line, as help prints it.</param>
/// <param name="Options">Option names without the leading dashes.</param>
internal sealed record VerbUsage(string Verb, string? Sub, string Line, IReadOnlyList<string> Options);
