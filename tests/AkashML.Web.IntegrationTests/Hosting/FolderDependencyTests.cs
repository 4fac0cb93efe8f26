using System.Text.RegularExpressions;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>
/// The folders of <c>AkashML.Web</c> are its capabilities, and they depend on each other in one direction only: a cycle
/// (the API needing presets that need the API) is the tangle issue 15 removed. Read from the sources: a folder depends
/// on another when one of its files imports or names that folder's namespace. Hosting (the composition root) and
/// Components (the dashboard UI) may use everything and nothing may use them back.
/// </summary>
public sealed partial class FolderDependencyTests
{
    [Fact]
    public void The_folders_of_the_web_project_have_no_dependency_cycles()
    {
        var graph = ReadGraph();
        Assert.Contains("Gateway", graph.Keys);
        Assert.Contains("Gateway", graph["Api"]);

        var cycles = new List<string>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (FindPath(graph, start, start) is { } path)
            {
                cycles.Add(string.Join(" -> ", path));
            }
        }

        Assert.True(cycles.Count == 0, "Folder cycles in AkashML.Web:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Nothing_depends_on_the_composition_root_or_the_dashboard_components()
    {
        var graph = ReadGraph();
        var offenders = graph.Where(pair => pair.Key is not ("Hosting" or "Components" or "Cli") && pair.Value.Overlaps(["Hosting", "Components"]))
            .Select(pair => $"{pair.Key} -> {string.Join(", ", pair.Value.Intersect(["Hosting", "Components"]))}")
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    private static Dictionary<string, HashSet<string>> ReadGraph()
    {
        var root = ProjectDirectory();
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var folder in Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>())
        {
            if (folder is "bin" or "obj" or "wwwroot" or "Properties")
            {
                continue;
            }

            var uses = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal)))
            {
                foreach (Match match in WebNamespace().Matches(File.ReadAllText(file)))
                {
                    var used = match.Groups[1].Value;
                    if (used != folder && Directory.Exists(Path.Combine(root, used)))
                    {
                        uses.Add(used);
                    }
                }
            }

            graph[folder] = uses;
        }

        return graph;
    }

    /// <summary>A path from <paramref name="from"/> back to <paramref name="to"/>, or null (depth-first, each folder once).</summary>
    private static List<string>? FindPath(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string> { from };
        return Walk(from) ? path : null;

        bool Walk(string node)
        {
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (next == to)
                {
                    path.Add(next);
                    return true;
                }

                if (visited.Add(next))
                {
                    path.Add(next);
                    if (Walk(next))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            return false;
        }
    }

    private static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "AkashML.Web");
            if (File.Exists(Path.Combine(candidate, "AkashML.Web.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("AkashML.Web was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bAkashML\.Web\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex WebNamespace();
}
