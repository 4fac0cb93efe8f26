using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Dashboard.Billing;

/// <summary>Hosts that grant sign-up credits, with GitHub and Google sign-in against fake providers.</summary>
public sealed class SignupCreditsHostPool : HostPool
{
    public const decimal AmountUsd = 2.5m;

    public static readonly TimeSpan Validity = TimeSpan.FromDays(7);

    public FakeOAuthProvider GitHub { get; private set; } = default!;

    public FakeOAuthProvider Google { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        GitHub = await FakeOAuthProvider.StartAsync(OAuthShape.GitHub);
        Google = await FakeOAuthProvider.StartAsync(OAuthShape.Google);
    }

    protected override IReadOnlyDictionary<string, string?> Settings =>
        GitHub.Settings("GitHub").Concat(Google.Settings("Google"))
            .Append(new("SignupCredits:AmountUsd", AmountUsd.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Append(new("SignupCredits:Validity", Validity.ToString()))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await GitHub.DisposeAsync();
        await Google.DisposeAsync();
    }
}
