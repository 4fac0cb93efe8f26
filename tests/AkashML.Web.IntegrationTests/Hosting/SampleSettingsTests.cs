using AkashML.Web.Roles;
using System.Collections;
using System.Reflection;
using System.Text.Json;
using AkashML.Billing;
using AkashML.Data;
using AkashML.Inference.Catalog;
using AkashML.Web.Accounts;
using AkashML.Web.Accounts.Email;
using AkashML.Web.Accounts.External;
using AkashML.Web.Api;
using AkashML.Web.Billing;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using AkashML.Web.Usage;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>
/// Every setting an options class binds appears in <c>appsettings.sample.json</c> under its section, so operators find
/// each one (with its comment) in one place; and the sample names nothing the options do not bind.
/// </summary>
public sealed class SampleSettingsTests
{
    /// <summary>Section, options class, and settings of that class that do not apply to the section.</summary>
    public static TheoryData<string, Type, string[]> Sections => new()
    {
        { AkashMLOptions.SectionName, typeof(AkashMLOptions), [] },
        { ModelCatalogOptions.SectionName, typeof(ModelCatalogOptions), [] },
        { Inference.Serving.InferenceOptions.SectionName, typeof(Inference.Serving.InferenceOptions), [] },
        { Usage.InferenceRetentionOptions.SectionName, typeof(Usage.InferenceRetentionOptions), [] },
        { EmailOptions.SectionName, typeof(EmailOptions), [] },
        { "Authentication:GitHub", typeof(ExternalProviderOptions), [] },
        // Google's verified email comes with the userinfo; the emails endpoint is GitHub's.
        { "Authentication:Google", typeof(ExternalProviderOptions), [nameof(ExternalProviderOptions.UserEmailsEndpoint)] },
        { ApiKeyOptions.SectionName, typeof(ApiKeyOptions), [] },
        { Limits.LimitOptions.SectionName, typeof(Limits.LimitOptions), [] },
        { Web.Telemetry.TelemetryOptions.SectionName, typeof(Web.Telemetry.TelemetryOptions), [] },
        { ApiOptions.SectionName, typeof(ApiOptions), [] },
        { BillingOptions.SectionName, typeof(BillingOptions), [] },
        { Shell.DashboardOptions.SectionName, typeof(Shell.DashboardOptions), [] },
        { Shell.DashboardOptions.SectionName + ":Circuits", typeof(Microsoft.AspNetCore.Components.Server.CircuitOptions),
            // A cache object for persisted circuits, registered in code, not a setting.
            [nameof(Microsoft.AspNetCore.Components.Server.CircuitOptions.HybridPersistenceCache)] },
        { SignupCreditsOptions.SectionName, typeof(SignupCreditsOptions), [] },
        { SupportOptions.SectionName, typeof(SupportOptions), [] },
        { HostRoleOptions.SectionName, typeof(HostRoleOptions), [] },
        { Web.Nodes.NodeOptions.SectionName, typeof(Web.Nodes.NodeOptions), [] },
        { Web.Backends.BackendsOptions.SectionName, typeof(Web.Backends.BackendsOptions), [] },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void Every_bound_setting_is_in_the_sample_and_the_sample_has_no_unknown_ones(string section, Type options, string[] notApplicable)
    {
        ArgumentNullException.ThrowIfNull(notApplicable);
        using var sample = JsonDocument.Parse(File.ReadAllText(SamplePath()), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var node = section.Split(':').Aggregate(sample.RootElement, (element, name) =>
            element.TryGetProperty(name, out var child) ? child : throw new Xunit.Sdk.XunitException($"appsettings.sample.json has no '{section}' section"));

        var missing = new List<string>();
        var unknown = new List<string>();
        Compare(section, options, node, missing, unknown);

        missing.RemoveAll(setting => notApplicable.Any(name => setting == section + ":" + name));
        Assert.True(missing.Count == 0, "Not in appsettings.sample.json: " + string.Join(", ", missing));
        Assert.True(unknown.Count == 0, "In appsettings.sample.json but bound by nothing: " + string.Join(", ", unknown));
    }

    private static void Compare(string path, Type type, JsonElement node, List<string> missing, List<string> unknown)
    {
        var properties = Settable(type).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var property in properties.Values)
        {
            if (!node.TryGetProperty(property.Name, out var value))
            {
                missing.Add(path + ":" + property.Name);
                continue;
            }

            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (DictionaryValueType(propertyType) is { } valueType && IsSection(valueType) && value.ValueKind == JsonValueKind.Object)
            {
                // Keyed entries (e.g. one per model): each example entry may only name settings the entry type binds.
                foreach (var entry in value.EnumerateObject())
                {
                    CompareKnownOnly(path + ":" + property.Name + ":" + entry.Name, valueType, entry.Value, unknown);
                }
            }
            else if (DictionaryValueType(propertyType) is { } listType && ListItemType(listType) is { } itemType && IsSection(itemType) && value.ValueKind == JsonValueKind.Object)
            {
                // Keyed lists of entries (e.g. a model's backends): each example item may only name settings the item type binds.
                foreach (var entry in value.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Array))
                {
                    var index = 0;
                    foreach (var item in entry.Value.EnumerateArray())
                    {
                        CompareKnownOnly(path + ":" + property.Name + ":" + entry.Name + ":" + index++, itemType, item, unknown);
                    }
                }
            }
            else if (IsSection(propertyType) && value.ValueKind == JsonValueKind.Object)
            {
                Compare(path + ":" + property.Name, propertyType, value, missing, unknown);
            }
        }

        // A child that is a section of its own (e.g. Dashboard:Circuits) is checked by its own entry.
        var ownSections = Sections.Select(row => (string)row[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in node.EnumerateObject().Select(p => p.Name).Where(name => !properties.ContainsKey(name) && !ownSections.Contains(path + ":" + name)))
        {
            unknown.Add(path + ":" + name);
        }
    }

    private static void CompareKnownOnly(string path, Type type, JsonElement node, List<string> unknown)
    {
        var properties = Settable(type).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var entry in node.EnumerateObject())
        {
            if (!properties.TryGetValue(entry.Name, out var property))
            {
                unknown.Add(path + ":" + entry.Name);
            }
            else if (IsSection(property.PropertyType) && entry.Value.ValueKind == JsonValueKind.Object)
            {
                CompareKnownOnly(path + ":" + entry.Name, property.PropertyType, entry.Value, unknown);
            }
        }
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0);

    /// <summary>A class the binder fills member by member (not a value, string, collection or dictionary).</summary>
    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);

    private static Type? ListItemType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>))?.GetGenericArguments()[0];

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];

    private static string SamplePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "appsettings.sample.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("appsettings.sample.json was not found above " + AppContext.BaseDirectory);
    }
}
