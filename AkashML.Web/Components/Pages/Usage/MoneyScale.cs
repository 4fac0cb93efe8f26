namespace AkashML.Web.Components.Pages.Usage;

/// <summary>
/// The unit a spend chart draws in. MudChart's axis never goes below whole steps, so a range worth a fraction of a
/// cent (a small model, a quiet day) is drawn in cents or micro-dollars instead of as a flat line at $0.
/// </summary>
public sealed record MoneyScale(long MicrosPerUnit, string Name, string Format)
{
    public static MoneyScale For(long maxMicros) => maxMicros switch
    {
        >= 5_000_000 => new(1_000_000, "US dollars", "$#,0"),
        >= 5_000 => new(10_000, "US cents", "#,0¢"),
        _ => new(1, "micro-dollars (millionths of a dollar)", "#,0 µ$"),
    };
}
