using System.Data.Common;

namespace AkashML.Billing.Reservations;

/// <summary>
/// Commands prepared once on one open connection, by statement, and used again with new values: preparing SQL text
/// costs more than running a hold's or a settlement's statements. Disposed with (before) its connection's close.
/// </summary>
/// <remarks>Not thread-safe: one writer uses it, one command at a time.</remarks>
internal sealed class PreparedCommands(DbConnection connection) : IDisposable
{
    private readonly Dictionary<Statement, DbCommand> _commands = new(ReferenceEqualityComparer.Instance);

    /// <summary>The command of <paramref name="statement"/> in <paramref name="transaction"/>, with <paramref name="values"/> bound.</summary>
    public DbCommand Get(Statement statement, DbTransaction? transaction, object?[] values)
    {
        if (_commands.TryGetValue(statement, out var command))
        {
            command.Transaction = transaction;
            for (var i = 0; i < values.Length; i++)
            {
                statement.Parameters[i].Rebind(command.Parameters[i], values[i]);
            }

            return command;
        }

        command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = statement.Text;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.Add(statement.Parameters[i].CreateParameter(command, statement.ParameterNames[i], values[i]));
        }

        command.Prepare();
        _commands.Add(statement, command);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
