using System.Globalization;

namespace AkashML.Web.Cli;

/// <summary>Parses <c>verb [sub] [--name value | --flag]...</c>.</summary>
public sealed class VerbArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.OrdinalIgnoreCase);

    public VerbArguments(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            var name = arg[2..];
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                _options[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _options[name] = args[++i];
            }
            else
            {
                _options[name] = null;
            }
        }

        Verb = positional.Count > 0 ? positional[0] : "";
        Sub = positional.Count > 1 ? positional[1] : null;
        Positional = positional.Skip(2).ToList();
    }

    public string Verb { get; }

    public string? Sub { get; }

    /// <summary>Positional arguments after the verb and its sub-command.</summary>
    public IReadOnlyList<string> Positional { get; }

    public string Required(string name) =>
        _options.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CommandLineException($"--{name} is required");

    public string? Optional(string name) => _options.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => _options.ContainsKey(name);

    /// <summary>A flag that must not carry a value (<c>--json</c>, <c>--force</c>).</summary>
    public bool Switch(string name) =>
        Flag(name) && (Optional(name) is null
            ? true
            : throw new CommandLineException($"--{name} takes no value (got '{Optional(name)}'); put flags after the positional arguments"));

    /// <summary>A whole number, or null when the option is absent.</summary>
    public int? OptionalInt(string name) =>
        Optional(name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new CommandLineException($"--{name} must be a whole number, got '{text}'");

    /// <summary>A positive whole number (thousands separators allowed), or <paramref name="fallback"/> when absent.</summary>
    public int PositiveInt(string name, int fallback) =>
        Optional(name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new CommandLineException($"--{name} must be a positive whole number, got '{text}'");

    /// <summary>
    /// The verb's own options, without the host settings that travel on the same command line
    /// (<c>--Section:Key=value</c>, <c>--urls</c>, <c>--environment</c>).
    /// </summary>
    public IEnumerable<string> OptionNames =>
        _options.Keys.Where(name => !name.Contains(':', StringComparison.Ordinal) && name is not ("urls" or "environment"));
}

/// <summary>A usage error: reported as one line on stderr.</summary>
public sealed class CommandLineException(string message) : Exception(message);
