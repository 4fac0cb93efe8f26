using System.Collections.Concurrent;
using System.Data.Common;
using AkashML.Data.Keys;
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

    private BillingTables(IModel model, ISqlGenerationHelper sql, bool sqlite)
    {
        Accounts = new SqlTable(model.FindEntityType(typeof(BillingAccount))!, sql);
        Pools = new SqlTable(model.FindEntityType(typeof(CreditPool))!, sql);
        Reservations = new SqlTable(model.FindEntityType(typeof(CreditReservation))!, sql);
        Ledger = new SqlTable(model.FindEntityType(typeof(LedgerEntry))!, sql);
        Keys = new SqlTable(model.FindEntityType(typeof(ApiKey))!, sql);
        KeySpend = new SqlTable(model.FindEntityType(typeof(ApiKeySpend))!, sql);
        Statements = new CreditStatements(this, sqlite);
    }

    public SqlTable Accounts { get; }

    public SqlTable Pools { get; }

    public SqlTable Reservations { get; }

    public SqlTable Ledger { get; }

    public SqlTable Keys { get; }

    public SqlTable KeySpend { get; }

    /// <summary>The direct path's statements for this model, and so this provider.</summary>
    public CreditStatements Statements { get; }

    public static BillingTables Of(AkashDbContext db) =>
        ByModel.GetOrAdd(db.Model, model => new BillingTables(model, db.GetService<ISqlGenerationHelper>(), db is SqliteAkashDbContext));
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

    /// <summary><c>INSERT INTO … VALUES (…)</c> of every written column; <see cref="InsertValues"/> gives its values.</summary>
    public Statement InsertStatement() =>
        new($"INSERT INTO {Name} ({string.Join(", ", _insertable.Select(c => c.Name))}) VALUES ({string.Join(", ", _insertable.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})",
            _insertable);

    /// <summary>The values <see cref="InsertStatement"/> binds for <paramref name="entity"/>.</summary>
    public object?[] InsertValues(object entity)
    {
        var values = new object?[_insertable.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _insertable[i].Property.PropertyInfo!.GetValue(entity);
        }

        return values;
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

    /// <summary>Binds <paramref name="value"/> again to a parameter <see cref="CreateParameter"/> made, converted the same way.</summary>
    public void Rebind(DbParameter parameter, object? value) =>
        parameter.Value = (value is null ? null : _mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;

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
