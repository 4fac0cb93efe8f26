using Microsoft.Extensions.Options;

namespace AkashML.Web.Backends;

/// <summary>Checks the <c>Backends</c> section at start and reports every problem at once.</summary>
public sealed class BackendsOptionsValidator(IEnumerable<IBackendFactory> factories) : IValidateOptions<BackendsOptions>
{
    public ValidateOptionsResult Validate(string? name, BackendsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kinds = factories.ToDictionary(f => f.Kind, StringComparer.Ordinal);
        var problems = new List<string>();
        if (options.MaxQueuePerModel < 0)
        {
            problems.Add("Backends:MaxQueuePerModel must be 0 or more.");
        }

        if (options.DrainRefresh <= TimeSpan.Zero)
        {
            problems.Add("Backends:DrainRefresh must be positive.");
        }

        var health = options.HealthCheck;
        if (health.Interval <= TimeSpan.Zero)
        {
            problems.Add("Backends:HealthCheck:Interval must be positive.");
        }

        if (health.Timeout <= TimeSpan.Zero)
        {
            problems.Add("Backends:HealthCheck:Timeout must be positive.");
        }

        if (health.UnhealthyThreshold < 1 || health.HealthyThreshold < 1)
        {
            problems.Add("Backends:HealthCheck:UnhealthyThreshold and HealthyThreshold must be at least 1.");
        }

        foreach (var (model, entries) in options.Models)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var at = $"Backends:Models:{model}:{i}";
                if (!kinds.TryGetValue(entry.Kind, out var factory))
                {
                    problems.Add($"{at}:Kind '{entry.Kind}' is not a backend kind; known kinds: {string.Join(", ", kinds.Keys.Order(StringComparer.Ordinal))}.");
                    continue;
                }

                if (!(entry.Weight > 0) || double.IsInfinity(entry.Weight))
                {
                    problems.Add($"{at}:Weight must be a positive number.");
                }

                if (entry.MaxInFlight < 1)
                {
                    problems.Add($"{at}:MaxInFlight must be at least 1.");
                }

                if (entry.MaxQueue < 0)
                {
                    problems.Add($"{at}:MaxQueue must be 0 or more.");
                }

                problems.AddRange(factory.Validate(entry).Select(problem => $"{at}: {problem}"));
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
