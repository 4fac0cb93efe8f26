using AkashML.Data;

namespace AkashML.Web.Shell;

/// <summary>
/// What the dashboard tells a person when the database refused a save because it is full (disk full) or cannot be
/// reached: the one wording for the page error box and every dialog (dialogs save outside that box, and an exception
/// there would end the circuit).
/// </summary>
public sealed record DatabaseTrouble(string Title, string Detail)
{
    public static DatabaseTrouble Full { get; } = new(
        "The database is full (disk full): nothing was saved.",
        "Reading still works. An operator has to free space; then try again.");

    public static DatabaseTrouble Unavailable { get; } = new(
        "The database is unavailable right now: nothing was saved.",
        "It is probably restarting. Try again in a moment.");

    /// <summary>The trouble behind <paramref name="ex"/>, or null when it is something else (a bug, to log and report).</summary>
    public static DatabaseTrouble? Of(Exception? ex) =>
        StorageFull.IsCause(ex) ? Full
        : DatabaseOutage.IsCause(ex) ? Unavailable
        : null;
}
