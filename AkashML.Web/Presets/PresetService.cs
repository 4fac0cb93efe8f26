using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Data.Presets;
using AkashML.Inference.Serving;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Presets;

/// <summary>A person's presets: list, find, create, edit, delete. Saving validates everything first and stores nothing on a problem.</summary>
public sealed class PresetService(AkashDbContext db, IModelProvider models, TimeProvider clock)
{
    public async Task<IReadOnlyList<Preset>> ListAsync(string userId, CancellationToken cancellationToken) =>
        await db.Presets.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.Name).ToListAsync(cancellationToken);

    public Task<Preset?> FindAsync(string userId, Guid id, CancellationToken cancellationToken) =>
        db.Presets.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.Id == id, cancellationToken);

    /// <summary>A preset by name: the exact spelling first, then ignoring case (names are unique either way).</summary>
    public async Task<Preset?> FindByNameAsync(string userId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var exact = await db.Presets.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.Name == name, cancellationToken);
        if (exact is not null)
        {
            return exact;
        }

        // A person has few presets: comparing their names here keeps the case rule identical on every database.
        var names = await db.Presets.AsNoTracking().Where(p => p.UserId == userId).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken);
        return names.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } match
            ? await FindAsync(userId, match.Id, cancellationToken)
            : null;
    }

    public async Task<PresetSaveResult> CreateAsync(string userId, PresetDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var problems = await ValidateAsync(userId, null, draft, cancellationToken);
        if (problems.Count > 0)
        {
            return PresetSaveResult.Invalid(problems);
        }

        var now = clock.GetUtcNow();
        var preset = new Preset
        {
            UserId = userId,
            Name = draft.Name!.Trim(),
            ModelId = models.Find(draft.ModelId!.Trim())!.Id,
            ParametersJson = draft.Parameters.ToJsonString(),
            SystemPrompt = string.IsNullOrWhiteSpace(draft.SystemPrompt) ? null : draft.SystemPrompt,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Presets.Add(preset);
        return await SaveAsync(preset, cancellationToken);
    }

    /// <summary>Replaces a preset's fields; null when it is not this person's preset.</summary>
    public async Task<PresetSaveResult?> UpdateAsync(string userId, Guid id, PresetDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var preset = await db.Presets.FirstOrDefaultAsync(p => p.UserId == userId && p.Id == id, cancellationToken);
        if (preset is null)
        {
            return null;
        }

        var problems = await ValidateAsync(userId, id, draft, cancellationToken);
        if (problems.Count > 0)
        {
            return PresetSaveResult.Invalid(problems);
        }

        preset.Name = draft.Name!.Trim();
        preset.ModelId = models.Find(draft.ModelId!.Trim())!.Id;
        preset.ParametersJson = draft.Parameters.ToJsonString();
        preset.SystemPrompt = string.IsNullOrWhiteSpace(draft.SystemPrompt) ? null : draft.SystemPrompt;
        preset.UpdatedAt = clock.GetUtcNow();
        return await SaveAsync(preset, cancellationToken);
    }

    /// <summary>The first free name of the form <c>name-copy</c>, <c>name-copy-2</c>… for duplicating a preset.</summary>
    public async Task<string> CopyNameAsync(string userId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var taken = (await db.Presets.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.Name).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var stem = name.Length > Preset.MaxNameLength - 9 ? name[..(Preset.MaxNameLength - 9)] : name;
        var copy = stem + "-copy";
        for (var i = 2; taken.Contains(copy); i++)
        {
            copy = stem + "-copy-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return copy;
    }

    public async Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken) =>
        await db.Presets.Where(p => p.UserId == userId && p.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>A stored preset's parameters as a JSON object (an unreadable value reads as no parameters).</summary>
    public static JsonObject Parameters(Preset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        try
        {
            return JsonNode.Parse(preset.ParametersJson) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Every problem of <paramref name="draft"/>, keyed by field; empty when it can be saved.</summary>
    public async Task<Dictionary<string, string>> ValidateAsync(string userId, Guid? editing, PresetDraft draft, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = draft.Name?.Trim();
        if (PresetNames.Problem(name) is { } nameProblem)
        {
            problems["Name"] = nameProblem;
        }
        else
        {
            var names = await db.Presets.AsNoTracking().Where(p => p.UserId == userId && p.Id != editing).Select(p => p.Name).ToListAsync(cancellationToken);
            if (names.Contains(name!, StringComparer.OrdinalIgnoreCase))
            {
                problems["Name"] = $"You already have a preset named '{name}'.";
            }
        }

        var model = string.IsNullOrWhiteSpace(draft.ModelId) ? null : models.Find(draft.ModelId.Trim());
        if (string.IsNullOrWhiteSpace(draft.ModelId))
        {
            problems["ModelId"] = "Choose a model.";
        }
        else if (model is null)
        {
            problems["ModelId"] = $"The model '{draft.ModelId.Trim()}' does not exist.";
        }
        else
        {
            foreach (var (parameter, problem) in SamplingParameters.Validate(draft.Parameters, model))
            {
                problems[parameter] = problem;
            }
        }

        if (draft.SystemPrompt is { Length: > Preset.MaxSystemPromptLength })
        {
            problems["SystemPrompt"] = $"The system prompt must be at most {Preset.MaxSystemPromptLength} characters.";
        }

        if (draft.Parameters.ToJsonString().Length > Preset.MaxParametersLength)
        {
            problems["Parameters"] = "The parameters are too long to store.";
        }

        return problems;
    }

    private async Task<PresetSaveResult> SaveAsync(Preset preset, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return PresetSaveResult.Saved(preset);
        }
        catch (DbUpdateException ex)
        {
            // Nothing of a failed save stays tracked (a dialog's context outlives it): a retry starts clean.
            db.ChangeTracker.Clear();
            if (StorageFull.IsCause(ex) || DatabaseOutage.IsCause(ex))
            {
                // A full or unreachable database is not a taken name: the caller says what it is.
                throw;
            }

            // Another request took the name between the check and the insert; the unique index kept them apart.
            return PresetSaveResult.Invalid(new Dictionary<string, string> { ["Name"] = $"You already have a preset named '{preset.Name}'." });
        }
    }
}
