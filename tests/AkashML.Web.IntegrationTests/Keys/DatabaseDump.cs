using System.Data.Common;
using System.Globalization;
using System.Text;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>Every row of every table of a test host's database, as text, to search for things that must not be stored.</summary>
internal static class DatabaseDump
{
    public static async Task<string> AllRowsAsync(AkashWebHost host)
    {
        await using DbConnection connection = host.Database.Kind == DatabaseKind.Postgres
            ? new NpgsqlConnection(host.Database.ConnectionString)
            : new SqliteConnection($"Data Source={Path.Combine(host.Database.DataDirectory, "akashml.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = host.Database.Kind == DatabaseKind.Postgres
                ? "SELECT table_schema || '\".\"' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains(tables, t => t.EndsWith("ApiKeys", StringComparison.Ordinal));
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.Append(table).Append(':');
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    dump.Append(' ').Append(Text(reader.GetValue(i)));
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

    /// <summary>The secret as it might appear if it leaked: itself, its random part, as hex or base64 bytes.</summary>
    public static IEnumerable<string> FormsOf(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        return [secret, secret[5..], Convert.ToHexString(bytes), Convert.ToBase64String(bytes)];
    }

    /// <summary>The SQLite database files' bytes as Latin-1 text (so ASCII secrets are found wherever they lie).</summary>
    public static string RawSqliteFiles(AkashWebHost host)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(host.Database.DataDirectory, "akashml.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            text.Append(Encoding.Latin1.GetString(copy.ToArray()));
        }

        return text.ToString();
    }

    private static string Text(object value) => value switch
    {
        DBNull => "null",
        byte[] bytes => Convert.ToHexString(bytes) + " " + Encoding.UTF8.GetString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
