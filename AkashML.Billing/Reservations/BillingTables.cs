using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AkashML.Billing.Reservations;

/// <summary>
/// The billing tables as the EF model maps them for one provider: delimited names, and each column's type mapping, so
/// hand-written statements bind and read values exactly as EF would (SQLite keeps instants as integers, enums are text).
/// </summary>
internal sealed class BillingTables
{
    // One model per context type (SQLite, PostgreSQL), so this holds at most two entries.
    private static readonly ConcurrentDictionary<IModel, BillingTables> ByModel = new();

    private readonly ConcurrentDictionary<string, string> _statements = new(StringComparer.Ordinal);

    private BillingTables(IModel model, ISqlGenerationHelper sql)
    {
        Accounts = new SqlTable(model.FindEntityType(typeof(BillingAccount))!, sql);
        Pools = new SqlTable(model.FindEntityType(typeof(CreditPool))!, sql);
        Reservations = new SqlTable(model.FindEntityType(typeof(CreditReservation))!, sql);
        Ledger = new SqlTable(model.FindEntityType(typeof(LedgerEntry))!, sql);
    }

    public SqlTable Accounts { get; }

    public SqlTable Pools { get; }

    public SqlTable Reservations { get; }

    public SqlTable Ledger { get; }

    /// <summary>SQL text remembered under <paramref name="name"/>, if any (see <see cref="Remember"/>).</summary>
    public bool TryGetStatement(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text) => _statements.TryGetValue(name, out text);

    /// <summary>
    /// Keeps SQL text whose only variable parts are parameter names bound in a fixed order, so later commands of the same
    /// shape skip building it (it depends on nothing else but this model, and so the provider).
    /// </summary>
    public string Remember(string name, string text) => _statements.GetOrAdd(name, text);

    public static BillingTables Of(AkashDbContext db) => ByModel.GetOrAdd(db.Model, model => new BillingTables(model, db.GetService<ISqlGenerationHelper>()));
}

/// <summary>One mapped table: its delimited name, its columns by property name, and INSERT statements from entities.</summary>
internal sealed class SqlTable
{
    private readonly Dictionary<string, SqlColumn> _columns;
    private readonly SqlColumn[] _insertable;

    public SqlTable(IEntityType entity, ISqlGenerationHelper sql)
    {
        Name = sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        _columns = entity.GetProperties().ToDictionary(p => p.Name, p => new SqlColumn(sql.DelimitIdentifier(p.GetColumnName()), p), StringComparer.Ordinal);

        // Store-generated integer keys (the ledger's) are left to the database; every other column is written.
        _insertable = [.. _columns.Values.Where(c => !(c.Property.IsPrimaryKey() && c.Property.ValueGenerated != ValueGenerated.Never && c.Property.ClrType == typeof(long)))];
        if (_insertable.FirstOrDefault(c => c.Property.IsShadowProperty()) is { } shadow)
        {
            throw new NotSupportedException($"{entity.DisplayName()}.{shadow.Property.Name} is a shadow property; hand-written inserts cannot read it.");
        }
    }

    public string Name { get; }

    public SqlColumn this[string property] => _columns[property];

    /// <summary>Appends <c>INSERT INTO … VALUES (…);</c> for <paramref name="entity"/> and binds its values.</summary>
    public void AppendInsert(StringBuilder text, SqlCommandBuilder command, object entity)
    {
        text.Append("INSERT INTO ").Append(Name).Append(" (").AppendJoin(", ", _insertable.Select(c => c.Name)).Append(") VALUES (");
        for (var i = 0; i < _insertable.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(command.Bind(_insertable[i], _insertable[i].Property.PropertyInfo!.GetValue(entity)));
        }

        text.Append(");\n");
    }
}

/// <summary>A column and how EF converts its values.</summary>
internal sealed class SqlColumn(string name, IProperty property)
{
    private readonly RelationalTypeMapping _mapping = property.GetRelationalTypeMapping();

    public string Name { get; } = name;

    public IProperty Property { get; } = property;

    public DbParameter CreateParameter(DbCommand command, string parameterName, object? value) =>
        _mapping.CreateParameter(command, parameterName, value, Property.IsNullable);

    /// <summary>Reads the column's value at <paramref name="ordinal"/> as the model's CLR type.</summary>
    public T Read<T>(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return default!;
        }

        if (_mapping.Converter is not { } converter)
        {
            return reader.GetFieldValue<T>(ordinal);
        }

        object raw = converter.ProviderClrType == typeof(long) ? reader.GetInt64(ordinal)
            : converter.ProviderClrType == typeof(string) ? reader.GetString(ordinal)
            : reader.GetValue(ordinal);
        return (T)converter.ConvertFromProvider(raw)!;
    }
}

/// <summary>Collects the parameters of one command: each bound value gets its own name.</summary>
internal sealed class SqlCommandBuilder(DbCommand command)
{
    private int _next;

    /// <summary>Binds <paramref name="value"/> as <paramref name="column"/> would store it; returns the placeholder.</summary>
    public string Bind(SqlColumn column, object? value)
    {
        var name = "@p" + _next++.ToString(System.Globalization.CultureInfo.InvariantCulture);
        command.Parameters.Add(column.CreateParameter(command, name, value));
        return name;
    }
}
