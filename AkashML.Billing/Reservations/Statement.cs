namespace AkashML.Billing.Reservations;

/// <summary>
/// SQL text of fixed shape whose parameters are named <c>@p0</c>, <c>@p1</c>, … in the order of
/// <see cref="Parameters"/>, so a prepared command for it can be kept and only its values bound again.
/// </summary>
/// <remarks>Compared by reference: each statement is built once per model and used as the key of its prepared commands.</remarks>
internal sealed class Statement
{
    public Statement(string text, params SqlColumn[] parameters)
    {
        Text = text;
        Parameters = parameters;
        ParameterNames = [.. parameters.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    public string Text { get; }

    /// <summary>The column each parameter is stored in, which decides how its value is converted.</summary>
    public SqlColumn[] Parameters { get; }

    public string[] ParameterNames { get; }

    /// <summary>Adds <paramref name="values"/> as this statement's parameters, made through <paramref name="factory"/> by each column's EF type mapping.</summary>
    public void Bind(System.Data.Common.DbCommand factory, System.Data.Common.DbParameterCollection parameters, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters.Add(Parameters[i].CreateParameter(factory, ParameterNames[i], values[i]));
        }
    }
}
